import NIOConcurrencyHelpers

/// Time-ordered 64-bit ids, Snowflake-like: 41 bits of milliseconds since 2024-01-01, 8 bits of node tag,
/// 14 bits of sequence. Newest-first is an index scan, ids fit a JSON number and a Mastodon id string.
/// The tag is leased in the store (`NodeLease`), so two live processes on one store (several servers, a CLI
/// beside them) never share one and never make the same id.
public final class IDGenerator: Sendable {
    public static let epochMilliseconds: Int64 = 1_704_067_200_000
    private struct State {
        var lastMillisecond: Int64 = 0
        var sequence: Int64 = 0
        var tag: Int64
    }
    private let state: NIOLockedValueBox<State>
    private let clock: Clock

    public init(clock: Clock, processTag: UInt8 = UInt8.random(in: 0...255)) {
        self.clock = clock
        self.state = NIOLockedValueBox(State(tag: Int64(processTag)))
    }

    /// The node tag in use.
    public var tag: UInt8 { UInt8(state.withLockedValue { $0.tag }) }

    /// Uses `tag` from now on (the one this process leased).
    public func adopt(tag: UInt8) { state.withLockedValue { $0.tag = Int64(tag) } }

    public func next() -> Int64 {
        let now = clock.nowMilliseconds() - Self.epochMilliseconds
        let (millisecond, sequence, tag) = state.withLockedValue { state -> (Int64, Int64, Int64) in
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
            return (state.lastMillisecond, state.sequence, state.tag)
        }
        return millisecond << 22 | tag << 14 | sequence
    }
}
