import Hummingbird
import NIOCore
import StarconCore

/// A server-sent-events response fed by this node's event bus: one bounded queue per connection (a client
/// that falls `queueLimit` behind is dropped, and EventSource reconnects), a comment every 15 s so proxies
/// keep the connection open, and each event turned into frames by the caller until it says the stream ends.
enum EventStreamBody {
    enum Step: Sendable { case event(Event), heartbeat }

    /// `subscribe` puts events into the queue it is given (and returns the sink, cancelled when the response
    /// ends); `frames` gives each event's (event name, data) frames, or nil to end the stream.
    static func response(queueLimit: Int, greeting: String,
                         subscribe: @escaping @Sendable (AsyncStream<Step>.Continuation) -> EventSink,
                         frames: @escaping @Sendable (Event) async throws -> [(event: String, data: String)]?) -> Response {
        let body = ResponseBody { writer in
            let (steps, queue) = AsyncStream<Step>.makeStream(bufferingPolicy: .bufferingOldest(queueLimit))
            let sink = subscribe(queue)
            defer { sink.cancel() }
            try await writer.write(ByteBuffer(string: greeting))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .seconds(15))
                        queue.yield(.heartbeat)
                    }
                }
                stepping: for await step in steps {
                    switch step {
                    case .event(let event):
                        guard let frames = try await frames(event) else { break stepping }
                        for frame in frames { try await writer.write(ByteBuffer(string: "event: \(frame.event)\ndata: \(frame.data)\n\n")) }
                    case .heartbeat: try await writer.write(ByteBuffer(string: ":thump\n\n"))
                    }
                }
                group.cancelAll()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"], body: body)
    }
}
