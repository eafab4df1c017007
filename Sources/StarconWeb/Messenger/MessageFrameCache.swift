import NIOConcurrencyHelpers
import StarconCore

/// The encoded WebSocket frames of recent messages, shared by every stream. A group message goes to up to
/// 256 open streams and a catch-up replays the same messages to many clients; the frame's JSON is the same
/// for all of them, so it is encoded once and the text reused.
final class MessageFrameCache: Sendable {
    private struct Key: Hashable {
        let event: String
        let id: Int64
        /// Changes when the message does (an edit), so an edited message never reuses the old text.
        let version: Int64
    }
    private struct State {
        var frames: [Key: String] = [:]
        var order: [Key] = []
        var next = 0
    }
    private let state = NIOLockedValueBox(State())
    let capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    func frame(_ event: String, for message: Message, encode: () -> String) -> String {
        let key = Key(event: event, id: message.id, version: message.editedAt ?? message.createdAt)
        if let frame = state.withLockedValue({ $0.frames[key] }) { return frame }
        let frame = encode()
        state.withLockedValue { state in
            guard state.frames[key] == nil else { return }
            if state.order.count < capacity {
                state.order.append(key)
            } else {
                state.frames[state.order[state.next]] = nil
                state.order[state.next] = key
                state.next = (state.next + 1) % capacity
            }
            state.frames[key] = frame
        }
        return frame
    }
}
