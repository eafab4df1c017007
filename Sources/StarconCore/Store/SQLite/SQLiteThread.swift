import Foundation
import NIOConcurrencyHelpers

/// One thread that owns one SQLite connection, and a task executor for it.
///
/// Every libsqlite3 call for a connection happens on its thread. A whole transaction body runs there too
/// (`withTaskExecutorPreference`), so its statements execute inline, one after another, instead of each
/// statement hopping from a Swift task to a pool thread and back (two context switches per statement, which
/// was most of the cost of a short write). Jobs from different tasks interleave only at suspension points;
/// a statement always runs to completion before the thread takes the next job.
final class SQLiteThread: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []   // guarded by `condition`
    private var blocks: [() -> Void] = [] // guarded by `condition`
    private var stopping = false          // guarded by `condition`
    private let identity = NIOLockedValueBox<pthread_t?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    init(name: String) {
        let started = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            identity.withLockedValue { $0 = pthread_self() }
            started.signal()
            runLoop()
            finished.signal()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
        started.wait()
    }

    /// True when called on this thread.
    var isCurrent: Bool {
        guard let thread = identity.withLockedValue({ $0 }) else { return false }
        return pthread_equal(thread, pthread_self()) != 0
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `work` on this thread and returns its result to the caller's task.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        if isCurrent { return try work() }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            submit { continuation.resume(with: Result { try work() }) }
        }
    }

    private func submit(_ block: @escaping () -> Void) {
        condition.lock()
        blocks.append(block)
        condition.signal()
        condition.unlock()
    }

    /// Finishes the queued work, then ends the thread.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
        finished.wait()
    }

    private func runLoop() {
        let executor = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while jobs.isEmpty && blocks.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && blocks.isEmpty && stopping {
                condition.unlock()
                return
            }
            let batchJobs = jobs, batchBlocks = blocks
            jobs.removeAll(keepingCapacity: true)
            blocks.removeAll(keepingCapacity: true)
            condition.unlock()
            for block in batchBlocks { block() }
            for job in batchJobs { job.runSynchronously(on: executor) }
        }
    }
}
