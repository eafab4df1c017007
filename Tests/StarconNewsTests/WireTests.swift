import NIOCore
import NIOEmbedded
@testable import StarconNews
import Testing

@Suite("NNTP wire")
struct WireTests {
    @Test func responsesAreDotStuffedAndTerminated() {
        var buffer = ByteBuffer()
        NNTPResponse(220, "1 <a@b> Article follows", lines: ["Subject: x", "", ".leading", ".", "end"]).encode(into: &buffer)
        #expect(String(buffer: buffer) == "220 1 <a@b> Article follows\r\nSubject: x\r\n\r\n..leading\r\n..\r\nend\r\n.\r\n")
        var article = ByteBuffer()
        NNTPResponse(220, "1 <a@b> Article follows", lines: ["Subject: x", ""], trailingText: ".leading\n.\n\nend\n")
            .encode(into: &article)
        #expect(String(buffer: article) == "220 1 <a@b> Article follows\r\nSubject: x\r\n\r\n..leading\r\n..\r\n\r\nend\r\n\r\n.\r\n")
        var body = ByteBuffer()
        NNTPResponse(222, "1 <a@b> Body follows", trailingText: "строка 1\nстрока 2").encode(into: &body)
        #expect(String(buffer: body) == "222 1 <a@b> Body follows\r\nстрока 1\r\nстрока 2\r\n.\r\n")
        var empty = ByteBuffer()
        NNTPResponse(222, "1 <a@b> Body follows", trailingText: "").encode(into: &empty)
        #expect(String(buffer: empty) == "222 1 <a@b> Body follows\r\n.\r\n")
        var single = ByteBuffer()
        NNTPResponse(480, "Authentication required").encode(into: &single)
        #expect(String(buffer: single) == "480 Authentication required\r\n")
    }


    @Test func articleCollectorUnstuffsAndStopsAtTheDot() {
        var collector = ArticleCollector()
        let ends = ["Subject: x", "", "..starts with a dot", "."].map { collector.add(.line(ByteBuffer(string: $0))) }
        #expect(ends == [false, false, false, true])
        #expect(collector.lines == ["Subject: x", "", ".starts with a dot"].map { Array($0.utf8) })
        #expect(!collector.truncated)
    }
}

/// Random input into every parser: it must answer (success or a typed failure), never crash or hang.
@Suite("NNTP fuzz")
struct FuzzTests {
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }

    static let keywords = ["ARTICLE", "HEAD", "BODY", "STAT", "GROUP", "LISTGROUP", "OVER", "XOVER", "HDR", "LIST", "NEWNEWS",
                           "NEWGROUPS", "AUTHINFO", "MODE", "POST", "DATE", "NEXT", "LAST", "QUIT", "CAPABILITIES"]
    static let pieces = [" ", "\t", "<", ">", "@", "-", "*", "!", ",", "[", "]", "^", "?", "0", "9", "12345678901234567",
                         "a.b", "USER", "PASS", "GMT", "20250101", "000000", "ACTIVE", "\u{0}", "\u{7F}", "é", "한", "..", "="]

    @Test func commandParserNeverCrashes() {
        var generator = SeededGenerator(state: 42)
        for _ in 0..<50_000 {
            var line = Bool.random(using: &generator) ? Self.keywords.randomElement(using: &generator)! : ""
            for _ in 0..<Int.random(in: 0...8, using: &generator) { line += Self.pieces.randomElement(using: &generator)! }
            _ = NNTPCommandParser.parse(line[...], now: 1_764_000_000_000)
            _ = Wildmat(line)?.matches("starcon.general")
        }
    }

    @Test func articleParserNeverCrashes() {
        var generator = SeededGenerator(state: 7)
        let headerPieces = ["Newsgroups: a.b", "Subject: =?utf-8?B?", "?=", "=?utf-8?Q?=E", "Content-Type: text/plain; charset=",
                            "Content-Transfer-Encoding: quoted-printable", "Content-Transfer-Encoding: base64", " folded", "",
                            "References: <a@b> <", "Message-ID: <x@y>", "=", "=4", "=ZZ", "\t", ":", "한국어", "\u{0}"]
        for _ in 0..<20_000 {
            let lines = (0..<Int.random(in: 0...12, using: &generator)).map { _ in
                Array((0..<Int.random(in: 1...3, using: &generator)).map { _ in headerPieces.randomElement(using: &generator)! }.joined().utf8)
            }
            _ = PostedArticle.parse(lines)
        }
    }

}
