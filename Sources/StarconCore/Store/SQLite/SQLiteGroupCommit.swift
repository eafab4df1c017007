import NIOConcurrencyHelpers
import SQLKit

/// Group commit for the one SQLite writer: write bodies that arrive while a transaction is running wait,
/// and the next transaction runs all of them, each inside its own SAVEPOINT, under one COMMIT. A body that
/// throws is rolled back to its savepoint alone; the others still commit. Every caller learns its result
/// only after the COMMIT that holds its changes, so "saved" still means saved.
///
/// There is no background task: the caller that finds the writer idle leads, running batches until its
/// own body is committed, then hands the lead to the oldest waiting caller.
final class SQLiteGroupCommit: Sendable {
    /// Bodies in one transaction at most, so one slow batch cannot grow without bound.
    static let maxBatch = 64

    private struct State {
        var pending: [any QueuedWrite] = []
        var leading = false
    }
    private let state = NIOLockedValueBox(State())

    /// Runs `body` in a transaction (possibly shared) started by `transaction`, which receives the batch
    /// runner: it must BEGIN, call it, and COMMIT on the writer.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T,
                            transaction: @Sendable (_ batch: @Sendable (any SQLDatabase) async throws -> Void) async throws -> Void) async throws -> T {
        let item = QueuedBody(body)
        let leads = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            item.setWaiter(continuation)
            let leads = state.withLockedValue { state -> Bool in
                state.pending.append(item)
                if state.leading { return false }
                state.leading = true
                return true
            }
            if leads { item.takeWaiter()?.resume(returning: true) }
        }
        if leads {
            while !item.isFinished {
                let batch = state.withLockedValue { state -> [any QueuedWrite] in
                    let batch = Array(state.pending.prefix(Self.maxBatch))
                    state.pending.removeFirst(batch.count)
                    return batch
                }
                await run(batch, transaction: transaction)
            }
            let next = state.withLockedValue { state -> (any QueuedWrite)? in
                guard let next = state.pending.first else {
                    state.leading = false
                    return nil
                }
                return next
            }
            next?.lead()
        }
        return try item.result()
    }

    private func run(_ batch: [any QueuedWrite], transaction: @Sendable (_ batch: @Sendable (any SQLDatabase) async throws -> Void) async throws -> Void) async {
        do {
            try await transaction { db in
                if batch.count == 1 {
                    // Alone: no savepoint; a failure rolls the whole transaction back.
                    if let error = await batch[0].run(db) { throw error }
                    return
                }
                for item in batch {
                    try await db.raw("SAVEPOINT starcon_write").run()
                    if await item.run(db) != nil {
                        try await db.raw("ROLLBACK TO starcon_write").run()
                    }
                    try await db.raw("RELEASE starcon_write").run()
                }
            }
            for item in batch { item.finish(committing: nil) }
        } catch {
            for item in batch { item.finish(committing: error) }
        }
    }
}

/// A queued body with its type erased.
private protocol QueuedWrite: AnyObject, Sendable {
    /// Runs the body, keeping its result; returns its error, if it threw.
    func run(_ db: any SQLDatabase) async -> (any Error)?
    /// The transaction ended: committed (nil) or failed with `error`, which then is the caller's result.
    func finish(committing error: (any Error)?)
    /// Wakes the waiting caller to lead the next batches.
    func lead()
}

private final class QueuedBody<T: Sendable>: QueuedWrite, @unchecked Sendable {
    /// Dropped as soon as it has run (or cannot run): the caller's closure must not outlive its call, even
    /// while the leader still holds this item in its batch.
    private var body: (@Sendable (any SQLDatabase) async throws -> T)?
    private let lock = NIOLock()
    private var outcome: Result<T, any Error>?     // the body's own, until the transaction ends
    private var final: Result<T, any Error>?
    private var waiter: CheckedContinuation<Bool, Never>?

    init(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) {
        self.body = body
    }

    func setWaiter(_ continuation: CheckedContinuation<Bool, Never>) {
        lock.withLock { waiter = continuation }
    }

    func takeWaiter() -> CheckedContinuation<Bool, Never>? {
        lock.withLock {
            defer { waiter = nil }
            return waiter
        }
    }

    var isFinished: Bool { lock.withLock { final != nil } }

    func result() throws -> T {
        try lock.withLock { final! }.get()
    }

    func run(_ db: any SQLDatabase) async -> (any Error)? {
        guard let body = lock.withLock({ () -> (@Sendable (any SQLDatabase) async throws -> T)? in
            defer { self.body = nil }
            return self.body
        }) else { return CancellationError() }
        do {
            let value = try await body(db)
            lock.withLock { outcome = .success(value) }
            return nil
        } catch {
            lock.withLock { outcome = .failure(error) }
            return error
        }
    }

    func finish(committing error: (any Error)?) {
        lock.withLock {
            body = nil
            if let error, case .success = outcome { final = .failure(error) } else { final = outcome ?? .failure(error!) }
        }
        takeWaiter()?.resume(returning: false)
    }

    func lead() {
        takeWaiter()?.resume(returning: true)
    }
}
