import StarconMIME
import Testing

@Suite("MIME parser")
struct MIMEParserTests {
    static let nested = wire("""
    From: Kim <kim@example.org>
    Subject: =?utf-8?B?7ZWc6rWt?= test
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="outer;b"

    This is the preamble.
    --outer;b
    Content-Type: multipart/alternative; boundary=inner

    --inner
    Content-Type: text/plain; charset=utf-8

    plain text
    --inner
    Content-Type: text/html; charset="utf-8"
    Content-Transfer-Encoding: quoted-printable

    <p>caf=C3=A9 =
    au lait</p>
    --inner--
    --outer;b
    Content-Type: image/png; name="dot.png"
    Content-Disposition: attachment; filename="dot.png"
    Content-Transfer-Encoding: base64
    Content-ID: <dot@x>

    iVBORw0K
    GgoAAAAN
    --outer;b
    Content-Type: message/rfc822

    Subject: inner
    Content-Type: multipart/mixed; boundary=z

    --z

    first
    --z
    Content-Type: text/plain

    second
    --z--
    --outer;b--
    epilogue
    """)

    @Test func tree() {
        let root = MIMEParser.parse(Self.nested)
        #expect(root.allProblems.isEmpty)
        #expect(root.contentType.mimeType == "multipart/mixed")
        #expect(root.contentType.boundary == "outer;b")
        #expect(root.header.first("subject")?.decodedValue == "한국 test")
        #expect(root.children.map(\.contentType.mimeType) == ["multipart/alternative", "image/png", "message/rfc822"])
        let numbers = root.numberedParts.map { MIMEPartNumber.format($0.number) + " " + $0.entity.contentType.mimeType }
        #expect(numbers == [
            "1 multipart/alternative", "1.1 text/plain", "1.2 text/html", "2 image/png", "3 message/rfc822",
            "3.1 text/plain", "3.2 text/plain",
        ])
        #expect(root.part(section: "1.1")?.text == "plain text")
        #expect(root.part(section: "1.2")?.text == "<p>café au lait</p>")
        #expect(root.part(section: "3.2")?.text == "second")
        #expect(root.part(section: "3.1")?.contentType == .defaultText)
        #expect(root.part(section: "4") == nil)
        #expect(root.part(section: "1.1.1") == nil)
        let image = root.part([2])!
        #expect(image.filename == "dot.png")
        #expect(image.contentID == "dot@x")
        #expect(image.isAttachment)
        #expect(image.transferEncoding == .base64)
        #expect(image.decodedBody().bytes == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D])
        #expect(root.leaves.count == 4)
    }

    @Test func exactOctets() {
        let root = MIMEParser.parse(Self.nested)
        // The header range ends with its blank line; a part's body stops before the CRLF of the next delimiter.
        #expect(string(root.headerBytes).hasSuffix("boundary=\"outer;b\"\r\n\r\n"))
        #expect(string(root.part([1, 1])!.bodyBytes) == "plain text")
        #expect(string(root.part([1, 1])!.headerBytes) == "Content-Type: text/plain; charset=utf-8\r\n\r\n")
        let message = root.part([3])!
        let inner = message.enclosedMessage!
        #expect(string(inner.headerBytes) == "Subject: inner\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n")
        #expect(inner.bodyRange == message.bodyRange.lowerBound + inner.headerBytes.count..<message.bodyRange.upperBound)
        #expect(string(message.bodyBytes).hasPrefix("Subject: inner\r\n"))
        #expect(string(message.bodyBytes).hasSuffix("second\r\n--z--"))
        #expect(root.part([1, 1])!.bodyLineCount == 1)
        #expect(root.part([1, 2])!.bodyLineCount == 2)
        #expect(root.bodyRange.upperBound == Self.nested.count)
        // Each field keeps its bytes.
        let subject = root.header.first("Subject")!
        #expect(string(Self.nested[subject.range]) == "Subject: =?utf-8?B?7ZWc6rWt?= test\r\n")
    }

    @Test(arguments: [
        // (message, expected content type of the top, its number of children, text of part 1)
        ("Subject: x\n\nhello", "text/plain", 0, "hello"),
        ("\nno header at all", "text/plain", 0, "no header at all"),
        ("Subject: only a header\n", "text/plain", 0, ""),
        ("Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\ncaf=E9", "text/plain", 0, "café"),
        ("Content-Type: TEXT/Plain; (comment) charset = \"UTF-8\" (more)\n\nok", "text/plain", 0, "ok"),
        ("Content-Type: garbage\n\nbody", "text/plain", 0, "body"),
        // LF-only line ends.
        ("Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\n--b--\n", "multipart/mixed", 2, "one"),
        // Transport padding after a delimiter, a boundary that is the prefix of another line.
        ("Content-Type: multipart/mixed; boundary=b\n\n--b  \n\none\n--bb\n--b--\n", "multipart/mixed", 1, "one\n--bb"),
        // No closing delimiter: the last part runs to the end.
        ("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nunclosed", "multipart/mixed", 1, "unclosed"),
        // No boundary at all: read as text.
        ("Content-Type: multipart/mixed\n\n--b\n\nx", "text/plain", 0, "--b\n\nx"),
        ("Content-Type: multipart/mixed; boundary=nope\n\n--b\n\nx", "text/plain", 0, "--b\n\nx"),
        // A digest's parts default to message/rfc822.
        ("Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: a\n\nA\n--d--", "multipart/digest", 1, "A"),
    ])
    func fixtures(message: String, type: String, children: Int, firstText: String) {
        let root = MIMEParser.parse(Array(message.utf8))
        #expect(root.contentType.mimeType == type)
        #expect(root.children.count == children)
        let first = root.part([1])
        let text = (first?.enclosedMessage ?? first)?.text
        #expect(text == firstText)
    }

    @Test func malformedInputIsReported() {
        #expect(MIMEParser.parse(Array("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx".utf8)).problems == [.missingClosingBoundary])
        #expect(MIMEParser.parse(Array("Content-Type: multipart/mixed\n\nx".utf8)).problems == [.missingBoundary])
        let broken = MIMEParser.parse(Array("From some mbox line\nSubject: s\n\nbody".utf8))
        #expect(broken.problems == [.malformedHeaderLine(offset: 0)])
        #expect(broken.header["subject"] == "s")
        let base64 = MIMEParser.parse(Array("Content-Transfer-Encoding: base64\n\naGVs!bG8=\nd29y*bGQ=\n".utf8))
        let decoded = base64.decodedBody()
        #expect(!decoded.clean)
        #expect(string(decoded.bytes) == "helloworld")
        #expect(base64.decodedText().exact == false)
    }

    @Test func headerFields() {
        let raw = wire("""
        Subject: a
         folded\tline
        X-Empty:
        Name With Space: skipped
        Received : obsolete space
        Subject: second
        X-Utf8: 한국어 ümlaut
        X-Latin1: \u{0}

        body
        """)
        var bytes = raw
        // A Latin-1 byte that is not UTF-8 still reads.
        let marker = bytes.lastIndex(of: 0)!
        bytes[marker] = 0xE9
        let root = MIMEParser.parse(bytes)
        #expect(root.header.map(\.name) == ["Subject", "X-Empty", "Received", "Subject", "X-Utf8", "X-Latin1"])
        #expect(root.header["subject"] == "a folded\tline")
        #expect(root.header.all("Subject").map(\.value) == ["a folded\tline", "second"])
        #expect(root.header["x-empty"] == "")
        #expect(root.header["received"] == "obsolete space")
        #expect(root.header["x-utf8"] == "한국어 ümlaut")
        #expect(root.header["x-latin1"] == "é")
        #expect(root.problems.count == 1)
        #expect(root.header.first("Subject")!.rawValue == Array(" a\r\n folded\tline".utf8))
    }
}
