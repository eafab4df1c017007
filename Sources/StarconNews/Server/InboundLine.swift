import NIOCore

/// What the connection reads: a line without its line ending, or notice that a line was too long
/// (its bytes are discarded up to the next line feed, so the stream stays in step).
public enum InboundLine: Sendable, Equatable {
    case line(ByteBuffer)
    case overlong
}
