import NIOCore
import NIOPosix
import StarconTLS

/// Hands one message to another server over SMTP (RFC 5321 §3.3): EHLO, MAIL, RCPT, DATA (dot-stuffed),
/// QUIT. Says how it went in the queue's terms: delivered, a temporary failure (4xx, no connection, a
/// timeout: try again later) or a permanent one (5xx: bounce).
struct SMTPClient {
    enum Outcome: Equatable, Sendable {
        case delivered
        case temporary(String)
        case permanent(String)
    }

    struct Reply {
        let code: Int
        let text: String
        var line: String { "\(code) \(text)" }
    }

    struct Failure: Error {
        let outcome: Outcome
    }

    /// This server's name for EHLO.
    let heloName: String
    /// How long any one reply may take (RFC 5321 §4.5.3.2 allows minutes; a closed network answers fast).
    let timeout: TimeAmount

    func send(_ raw: [UInt8], from sender: String, to recipient: String, host: String, port: Int) async -> Outcome {
        let timeout = self.timeout
        let channel: NIOAsyncChannel<LineFrame, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: timeout))
                        try channel.pipeline.syncOperations.addHandler(ClientIdleCloser())
                        try channel.pipeline.syncOperations.addHandler(LineFramer(maxLength: 4096))
                        return try NIOAsyncChannel<LineFrame, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            return .temporary("cannot connect to \(host):\(port): \(Self.describe(error))")
        }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                var replies = inbound.makeAsyncIterator()
                func expect(_ ok: ClosedRange<Int>, after step: String) async throws -> Reply {
                    let reply = try await Self.readReply(&replies)
                    guard ok.contains(reply.code) else {
                        let text = "\(reply.line.replacingOccurrences(of: "\n", with: " ")) (\(host) after \(step))"
                        throw Failure(outcome: reply.code >= 500 ? .permanent(text) : .temporary(text))
                    }
                    return reply
                }
                func say(_ line: String) async throws { try await outbound.write(ByteBuffer(string: line + "\r\n")) }
                _ = try await expect(220...220, after: "connecting")
                try await say("EHLO \(heloName)")
                let ehlo = try await expect(250...250, after: "EHLO")
                let utf8 = Self.needsUTF8(sender) || Self.needsUTF8(recipient)
                if utf8, !ehlo.text.uppercased().contains("SMTPUTF8") {
                    throw Failure(outcome: .permanent("\(host) does not take internationalised addresses (no SMTPUTF8)"))
                }
                var mail = "MAIL FROM:<\(sender)>"
                if ehlo.text.uppercased().contains("8BITMIME") { mail += " BODY=8BITMIME" }
                if ehlo.text.uppercased().contains("SIZE") { mail += " SIZE=\(raw.count)" }
                if utf8 { mail += " SMTPUTF8" }
                try await say(mail)
                _ = try await expect(250...259, after: "MAIL FROM")
                try await say("RCPT TO:<\(recipient)>")
                _ = try await expect(250...259, after: "RCPT TO")
                try await say("DATA")
                _ = try await expect(354...354, after: "DATA")
                try await outbound.write(ByteBuffer(bytes: Self.dotStuffed(raw)))
                _ = try await expect(250...259, after: "the message")
                try? await say("QUIT")
                return .delivered
            }
        } catch let failure as Failure {
            return failure.outcome
        } catch {
            return .temporary("\(host):\(port) broke off: \(Self.describe(error))")
        }
    }

    /// One reply, its continuation lines (`250-…`) joined with newlines in `text`.
    static func readReply(_ iterator: inout NIOAsyncChannelInboundStream<LineFrame>.AsyncIterator) async throws -> Reply {
        var lines: [String] = []
        while let frame = try await iterator.next() {
            guard case .line(let buffer, _) = frame else { throw Failure(outcome: .temporary("reply line too long")) }
            let line = String(decoding: buffer.readableBytesView, as: UTF8.self)
            guard line.count >= 3, let code = Int(line.prefix(3)), (200...599).contains(code) else {
                throw Failure(outcome: .temporary("not an SMTP reply: \(line.prefix(80))"))
            }
            lines.append(String(line.dropFirst(4)))
            if line.count == 3 || line.dropFirst(3).first == " " { return Reply(code: code, text: lines.joined(separator: "\n")) }
            if lines.count > 100 { throw Failure(outcome: .temporary("reply too long")) }
        }
        throw Failure(outcome: .temporary("connection closed"))
    }

    /// CRLF line ends, a `.` doubled at the start of a line (RFC 5321 §4.5.2), ending with `.` alone.
    static func dotStuffed(_ raw: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count + raw.count / 50 + 5)
        var lineStart = true
        var previous: UInt8 = 0
        for byte in raw {
            if lineStart && byte == UInt8(ascii: ".") { out.append(byte) }
            if byte == 0x0A && previous != 0x0D { out.append(0x0D) }
            out.append(byte)
            lineStart = byte == 0x0A
            previous = byte
        }
        if !lineStart { out.append(contentsOf: [0x0D, 0x0A]) }
        out.append(contentsOf: Array(".\r\n".utf8))
        return out
    }

    static func needsUTF8(_ text: String) -> Bool { !text.utf8.allSatisfy { $0 < 0x80 } }

    static func describe(_ error: any Error) -> String { String(String(describing: error).prefix(200)) }
}

/// Closes a client connection whose server has said nothing for the timeout.
final class ClientIdleCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
