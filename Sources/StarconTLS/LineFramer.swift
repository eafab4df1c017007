import NIOCore
import NIOTLS

/// What a line protocol's connection (SMTP, NNTP) reads: a line without its line ending (and whether that ending was CRLF), or
/// notice that a line was over the limit (its bytes discarded up to the next LF, so the stream stays in step).
public enum LineFrame: Sendable, Equatable {
    case line(ByteBuffer, crlf: Bool)
    case tooLong(crlf: Bool)
}

/// Splits the byte stream into lines, and stops at a `STARTTLS` line (SMTP, RFC 3207; NNTP, RFC 4642): what the client sends after it in
/// the clear must never be read as if it came over TLS (CVE-2011-0411, command injection), so the framer
/// holds it until told what happened. `Resume` (no TLS after all) reads on; a completed TLS handshake drops
/// every byte that came before it.
public final class LineFramer: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = LineFrame

    /// Sent down the pipeline when a held `STARTTLS` line did not start TLS.
    public struct Resume: Sendable {
        public init() {}
    }

    let maxLength: Int
    /// Bytes the framer may hold while it waits after STARTTLS; more closes the connection.
    static let maxHeld = 1 << 20
    private var buffer: ByteBuffer?
    private var held = false
    private var discarding = false

    public init(maxLength: Int) {
        self.maxLength = maxLength
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffer == nil { buffer = incoming } else { buffer!.writeBuffer(&incoming) }
        if held, let buffer, buffer.readableBytes > Self.maxHeld {
            context.close(promise: nil)
            return
        }
        emitLines(context: context)
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is Resume {
            held = false
            emitLines(context: context)
            return
        }
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            buffer?.clear()
            held = false
            discarding = false
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The line the framer holds at: `STARTTLS` in any case.
    public static func isStartTLS(_ line: ByteBuffer) -> Bool {
        line.readableBytes == 8 && String(buffer: line).uppercased() == "STARTTLS"
    }

    private func emitLines(context: ChannelHandlerContext) {
        while !held, var current = buffer {
            guard let newline = current.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
                if current.readableBytes > maxLength {
                    discarding = true
                    current.clear()
                    buffer = current
                }
                return
            }
            let length = newline - current.readerIndex
            var line = current.readSlice(length: length)!
            current.moveReaderIndex(forwardBy: 1)
            buffer = current
            let crlf = line.readableBytesView.last == UInt8(ascii: "\r")
            if crlf { line = line.getSlice(at: line.readerIndex, length: line.readableBytes - 1)! }
            if discarding || line.readableBytes > maxLength {
                discarding = false
                context.fireChannelRead(wrapInboundOut(.tooLong(crlf: crlf)))
                continue
            }
            if Self.isStartTLS(line) { held = true }
            context.fireChannelRead(wrapInboundOut(.line(line, crlf: crlf)))
        }
        // Read bytes are let go, so a long connection (or a 25 MiB DATA) does not keep its whole history.
        if let current = buffer {
            if current.readableBytes == 0 { buffer = nil } else if current.readerIndex > 65_536 { buffer!.discardReadBytes() }
        }
    }
}
