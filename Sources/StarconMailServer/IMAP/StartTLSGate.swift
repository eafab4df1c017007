import NIOCore
import NIOTLS

/// In front of an IMAP connection that offers STARTTLS: it passes bytes through until a `tag STARTTLS` line,
/// then holds whatever follows it. What a client (or a man in the middle) sent in the clear after STARTTLS
/// must never be read as if it came over TLS (RFC 3501 §11.1; CVE-2011-0411), and the session reads bytes in
/// another task, too late to tell them apart. A completed TLS handshake drops what was held; `Resume` (the
/// session refused STARTTLS) lets it through.
final class StartTLSGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    struct Resume: Sendable {}

    /// Bytes held while waiting for the handshake; more closes the connection.
    static let maxHeld = 1 << 20
    private var held: ByteBuffer?
    private var holding = false
    /// The current line's first octets (a STARTTLS line is short; longer lines are not candidates).
    private var line: [UInt8] = []
    private var lineTooLong = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if holding {
            if held == nil { held = incoming } else { held!.writeBuffer(&incoming) }
            if held!.readableBytes > Self.maxHeld { context.close(promise: nil) }
            return
        }
        pass(incoming, context: context)
    }

    private func pass(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        var buffer = buffer
        for (offset, byte) in buffer.readableBytesView.enumerated() {
            guard byte == 0x0A else {
                if line.count < 64 { line.append(byte) } else { lineTooLong = true }
                continue
            }
            let isStartTLS = !lineTooLong && Self.isStartTLS(line)
            line = []
            lineTooLong = false
            if isStartTLS {
                let through = buffer.readSlice(length: offset + 1)!
                holding = true
                held = buffer.readableBytes > 0 ? buffer : nil
                context.fireChannelRead(wrapInboundOut(through))
                return
            }
        }
        context.fireChannelRead(wrapInboundOut(buffer))
    }

    /// `tag SP "STARTTLS"` with an optional CR, the command in any case.
    static func isStartTLS(_ line: [UInt8]) -> Bool {
        var text = String(decoding: line, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        return words.count == 2 && !words[0].isEmpty && words[1].uppercased() == "STARTTLS"
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is Resume {
            holding = false
            if let held {
                self.held = nil
                pass(held, context: context)
            }
            return
        }
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            held = nil
            holding = false
            line = []
        }
        context.fireUserInboundEventTriggered(event)
    }
}
