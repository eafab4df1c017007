import NIOCore
import NIOEmbedded
import NIOTLS
@testable import StarconMailServer
import StarconTLS
import Testing

@Suite("Line framer and DATA collector")
struct LineFramerTests {
    static func channel(max: Int = 64) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(LineFramer(maxLength: max))
        return channel
    }

    static func lines(_ channel: EmbeddedChannel) throws -> [String] {
        var out: [String] = []
        while let frame = try channel.readInbound(as: LineFrame.self) {
            switch frame {
            case .line(let buffer, let crlf): out.append(String(buffer: buffer) + (crlf ? "⏎" : "↵"))
            case .tooLong(let crlf): out.append("<too long>" + (crlf ? "⏎" : "↵"))
            }
        }
        return out
    }

    @Test func linesSplitAcrossReadsWithBareLFAndOverlongLines() throws {
        let channel = try Self.channel(max: 8)
        try channel.writeInbound(ByteBuffer(string: "EHLO a\r\nNO"))
        try channel.writeInbound(ByteBuffer(string: "OP\nAAAAAAAAAAAA"))
        try channel.writeInbound(ByteBuffer(string: "AAAA\r\nQUIT\r\n"))
        #expect(try Self.lines(channel) == ["EHLO a⏎", "NOOP↵", "<too long>⏎", "QUIT⏎"])
    }

    @Test func randomBytesNeverCrashOrStall() throws {
        var state: UInt64 = 99
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        let channel = try Self.channel()
        for _ in 0..<2_000 {
            let bytes = (0..<Int(next() % 200)).map { _ -> UInt8 in
                switch next() % 3 { case 0: UInt8(ascii: "\n"); case 1: UInt8(ascii: "\r"); default: UInt8(truncatingIfNeeded: next()) }
            }
            try channel.writeInbound(ByteBuffer(bytes: bytes))
            _ = try Self.lines(channel)
        }
        try channel.writeInbound(ByteBuffer(string: "\nQUIT\r\n"))
        #expect(try Self.lines(channel).last == "QUIT⏎", "still in step after the noise")
    }

    @Test func whatFollowsStartTLSIsHeldThenDroppedOnceTLSIsUp() throws {
        let channel = try Self.channel()
        try channel.writeInbound(ByteBuffer(string: "NOOP\r\nstarttls\r\nMAIL FROM:<evil@x>\r\n"))
        #expect(try Self.lines(channel) == ["NOOP⏎", "starttls⏎"])
        try channel.writeInbound(ByteBuffer(string: "RCPT TO:<x@y>\r\n"))
        #expect(try Self.lines(channel).isEmpty, "held")
        channel.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: nil))
        #expect(try Self.lines(channel).isEmpty, "dropped, never read as if encrypted")
        try channel.writeInbound(ByteBuffer(string: "EHLO b\r\n"))
        #expect(try Self.lines(channel) == ["EHLO b⏎"])
    }

    @Test func aStartTLSThatDidNotStartTLSReadsOn() throws {
        let channel = try Self.channel()
        try channel.writeInbound(ByteBuffer(string: "STARTTLS\r\nNOOP\r\n"))
        #expect(try Self.lines(channel) == ["STARTTLS⏎"])
        channel.pipeline.fireUserInboundEventTriggered(LineFramer.Resume())
        #expect(try Self.lines(channel) == ["NOOP⏎"])
    }

    /// Feeds `text` as the framer would: split at LF (bytes, as "\r\n" is one Character), CR stripped.
    static func collect(_ text: String, max: Int = 1_000) -> DataCollector {
        var collector = DataCollector(maxBytes: max)
        var rest = Array(text.utf8)[...]
        while !collector.finished, let newline = rest.firstIndex(of: 0x0A) {
            var line = rest[..<newline]
            let crlf = line.last == 0x0D
            if crlf { line = line.dropLast() }
            collector.add(.line(ByteBuffer(bytes: line), crlf: crlf))
            rest = rest[(newline + 1)...]
        }
        return collector
    }

    @Test func onlyCRLFDotCRLFEndsTheMessageAndDotsAreUnstuffed() {
        let collector = Self.collect("Subject: x\r\n\r\n..leading dot\r\nbare\n.\nstill text\n.\r\nmore\r\n.\r\nafter\r\n")
        #expect(collector.finished)
        #expect(String(decoding: collector.message, as: UTF8.self)
            == "Subject: x\r\n\r\n.leading dot\r\nbare\r\n\r\nstill text\r\n\r\nmore\r\n")
    }

    @Test func overTheLimitIsReadToTheEndAndMarked() {
        let collector = Self.collect(String(repeating: "0123456789\r\n", count: 20) + ".\r\n", max: 100)
        #expect(collector.finished && collector.truncated && collector.message.isEmpty)
    }
}
