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
    private let frames: BoundedCache<Key, String>

    init(capacity: Int = 1024) {
        frames = BoundedCache(capacity: capacity)
    }

    func frame(_ event: String, for message: Message, encode: () -> String) -> String {
        let key = Key(event: event, id: message.id, version: message.editedAt ?? message.createdAt)
        if let frame = frames[key] { return frame }
        let frame = encode()
        frames.set(frame, for: key)
        return frame
    }
}
