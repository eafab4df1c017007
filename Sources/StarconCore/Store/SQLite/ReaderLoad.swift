import NIOConcurrencyHelpers

/// Reads in progress per reader connection, to send each new read to the least busy one. Ties go to the
/// reader after the last one chosen, so idle readers share the work instead of the first taking it all.
final class ReaderLoad: Sendable {
    private struct State {
        var inFlight: [Int]
        var last = 0
    }

    private let state: NIOLockedValueBox<State>

    init(readers: Int) {
        precondition(readers > 0)
        state = NIOLockedValueBox(State(inFlight: Array(repeating: 0, count: readers)))
    }

    /// Picks a reader and counts the read against it; pair with `release`.
    func acquire() -> Int {
        state.withLockedValue { state in
            let count = state.inFlight.count
            var best = (state.last + 1) % count
            for step in 1..<max(count, 1) {
                let candidate = (state.last + 1 + step) % count
                if state.inFlight[candidate] < state.inFlight[best] { best = candidate }
            }
            state.inFlight[best] += 1
            state.last = best
            return best
        }
    }

    func release(_ index: Int) {
        state.withLockedValue { $0.inFlight[index] -= 1 }
    }

    /// Reads in progress per reader (tests).
    var inFlight: [Int] { state.withLockedValue { $0.inFlight } }
}
