@testable import StarconCore

/// The events one member is sent, as a stream a test can read after it has done things.
struct EventRecording: Sendable {
    let events: AsyncStream<Event>
    /// Stops recording; `events` ends after what was recorded.
    let cancel: @Sendable () -> Void
}

extension EventBus {
    /// Records the events meant for `accountID` (every event when nil) through a sink into an unbounded queue.
    func record(accountID: Int64?) -> EventRecording {
        let (stream, continuation) = AsyncStream<Event>.makeStream()
        let sink = sink(accountID: accountID, into: continuation, as: { $0 })
        return EventRecording(events: stream, cancel: {
            sink.cancel()
            continuation.finish()
        })
    }
}
