import NIOCore

/// What the connection reads: a line without its line ending, or notice that a line was too long
/// (its bytes are discarded up to the next line feed, so the stream stays in step).
public enum InboundLine: Sendable, Equatable {
    case line(ByteBuffer)
    case overlong
}

/// Splits the byte stream at LF (a CR before it is dropped), with a length limit.
public struct LineDecoder: ByteToMessageDecoder {
    public typealias InboundOut = InboundLine
    let maxLength: Int
    private var discarding = false

    public init(maxLength: Int) {
        self.maxLength = maxLength
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > maxLength {
                if !discarding {
                    discarding = true
                    context.fireChannelRead(wrapInboundOut(.overlong))
                }
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        var line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        if discarding {
            discarding = false
            return .continue
        }
        if line.readableBytes > maxLength {
            context.fireChannelRead(wrapInboundOut(.overlong))
            return .continue
        }
        if line.readableBytesView.last == UInt8(ascii: "\r") { line = line.getSlice(at: line.readerIndex, length: line.readableBytes - 1)! }
        context.fireChannelRead(wrapInboundOut(.line(line)))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        .needMoreData
    }
}
