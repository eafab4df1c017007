import NIOConcurrencyHelpers

/// Time-ordered 64-bit ids, Snowflake-like: 41 bits of milliseconds since 2024-01-01, 8 bits of process
/// tag, 14 bits of sequence. Newest-first is an index scan, ids fit a JSON number and a Mastodon id string,
/// and two processes writing at once (a CLI beside the server) do not collide.
public final class IDGenerator: Sendable {
    static let epochMilliseconds: Int64 = 1_704_067_200_000
    private struct State { var lastMillisecond: Int64 = 0; var sequence: Int64 = 0 }
    private let state = NIOLockedValueBox(State())
    private let processTag: Int64
    private let clock: Clock

    public init(clock: Clock, processTag: UInt8 = UInt8.random(in: 0...255)) {
        self.clock = clock
        self.processTag = Int64(processTag)
    }

    public func next() -> Int64 {
        let now = clock.nowMilliseconds() - Self.epochMilliseconds
        let (millisecond, sequence) = state.withLockedValue { state -> (Int64, Int64) in
            if now > state.lastMillisecond {
                state.lastMillisecond = now
                state.sequence = 0
            } else {
                state.sequence += 1
                if state.sequence >= 1 << 14 {
                    // Sequence exhausted within one millisecond: borrow the next millisecond.
                    state.lastMillisecond += 1
                    state.sequence = 0
                }
            }
            return (state.lastMillisecond, state.sequence)
        }
        return millisecond << 22 | processTag << 14 | sequence
    }

}
