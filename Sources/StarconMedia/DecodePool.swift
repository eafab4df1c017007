import Foundation
import Synchronization

/// Runs at most `width` decodes at once, each on a thread of its own (off the event loops and Swift's
/// cooperative threads), with at most `queueLimit` more waiting their turn in arrival order; beyond that
/// the work is refused at once (`nil`), so a burst of uploads costs a bounded amount of memory instead of
/// one decode's worth each.
final class DecodePool: Sendable {
    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Bool, Never>] = []
    }

    let width: Int
    let queueLimit: Int
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "starcon.images", qos: .userInitiated, attributes: .concurrent)

    init(width: Int, queueLimit: Int) {
        self.width = max(1, width)
        self.queueLimit = max(0, queueLimit)
    }

    /// The work's result, or nil when `width` decodes run and `queueLimit` wait already.
    func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T? {
        guard await acquire() else { return nil }
        defer { release() }
        return await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }

    /// Decodes running and waiting now (for tests).
    var counts: (running: Int, waiting: Int) { state.withLock { ($0.running, $0.waiting.count) } }

    /// True once a slot is this caller's; false at once when the queue is full.
    private func acquire() async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let admitted = state.withLock { state -> Bool? in
                if state.running < width {
                    state.running += 1
                    return true
                }
                guard state.waiting.count < queueLimit else { return false }
                state.waiting.append(continuation)
                return nil
            }
            if let admitted { continuation.resume(returning: admitted) }
        }
    }

    /// Hands the slot to the longest waiter, or frees it.
    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            if state.waiting.isEmpty {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume(returning: true)
    }
}
