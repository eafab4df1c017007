import Foundation
import StarconMIME
import Testing

@Suite("MIME writer")
struct MIMEWriterTests {
    static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    static func lines(_ raw: [UInt8]) -> [ArraySlice<UInt8>] { raw.split(separator: 0x0A, omittingEmptySubsequences: false) }

    @Test func fullMessageRoundTrip() {
        let pdf = Self.randomBytes(10_000, seed: 1)
        let png = Self.randomBytes(777, seed: 2) + [0x0D, 0x0A, 0x0D, 0x2E, 0x0A]
        let html = "<p>안녕하세요 <img src=\"cid:logo@starcon\"></p>"
        let plain = "Hello 김철수,\nline two with a very long line " + String(repeating: "word ", count: 60) + "\n.\nFrom the end\n"
        var message = MIMEMessage(
            from: [MIMEAddress(displayName: "김철수", localPart: "kim", domain: "example.org")],
            subject: "Re: 회의 자료 — minutes of the meeting that went on far too long for one line",
            date: Date(timeIntervalSince1970: 1_796_653_439), messageID: MIMEWriter.makeMessageID(domain: "example.org"),
            body: .mixed([
                .alternative([.text(plain), .related(.html(html), [.attachment(png, filename: "logo.png", mimeType: "image/png", inline: true, contentID: "logo@starcon")])]),
                .attachment(pdf, filename: "보고서 (final); v2.pdf", mimeType: "application/pdf"),
                .attachment(Array("a,b\n1,2\n".utf8), filename: String(repeating: "long-name-", count: 12) + ".csv", mimeType: "text/csv"),
            ]))
        message.to = [MIMEAddress(displayName: "Doe, John", localPart: "john", domain: "x.y"), MIMEAddress(localPart: "jane", domain: "x.y")]
        message.cc = [MIMEAddress(displayName: "Ünal", localPart: "u", domain: "x.y")]
        message.bcc = [MIMEAddress(localPart: "secret", domain: "x.y")]
        message.inReplyTo = ["<a@x>"]
        message.references = ["<r1@x>", "<a@x>"]
        let raw = message.serialized()

        // Every line fits, nothing but CRLF ends a line, no Bcc.
        for line in Self.lines(raw) { #expect(line.count <= 999) }
        #expect(!string(raw).contains("\r\n\r\n\r\n\r\n"))
        #expect(zip(raw, raw.dropFirst()).allSatisfy { $0.1 != 0x0A || $0.0 == 0x0D })
        let header = MIMEParser.parseHeader(raw)
        for field in header.header { for line in Self.lines(Array(raw[field.range])) { #expect(line.count <= 79) } }
        #expect(header.header["Bcc"] == nil)

        let root = MIMEParser.parse(raw)
        #expect(root.allProblems.isEmpty)
        #expect(root.header.first("Subject")?.decodedValue == message.subject)
        #expect(AddressList.mailboxes(root.header["From"]!).map(\.formatted) == message.from.map(\.formatted))
        #expect(AddressList.mailboxes(root.header["To"]!).map(\.address) == ["john@x.y", "jane@x.y"])
        #expect(AddressList.mailboxes(root.header["To"]!).map(\.displayName) == ["Doe, John", nil])
        #expect(AddressList.mailboxes(root.header["Cc"]!).first?.displayName == "Ünal")
        #expect(root.header["References"] == "<r1@x> <a@x>")
        #expect(MIMEDate.parse(root.header["Date"]!) == message.date)
        #expect(root.header["MIME-Version"] == "1.0")

        let numbers = root.numberedParts.map { MIMEPartNumber.format($0.number) + " " + $0.entity.contentType.mimeType }
        #expect(numbers == ["1 multipart/alternative", "1.1 text/plain", "1.2 multipart/related", "1.2.1 text/html", "1.2.2 image/png",
                            "2 application/pdf", "3 text/csv"])
        #expect(root.part([1, 1])?.text == plain.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(root.part([1, 1])?.transferEncoding == .quotedPrintable)
        #expect(root.part([1, 2])?.contentType.parameters["type"] == "text/html")
        #expect(root.part([1, 2, 1])?.text == html)
        let image = root.part([1, 2, 2])!
        #expect(image.decodedBody() == (png, true))
        #expect(image.contentID == "logo@starcon")
        #expect(image.disposition?.isInline == true)
        let attachment = root.part([2])!
        #expect(attachment.decodedBody() == (pdf, true))
        #expect(attachment.filename == "보고서 (final); v2.pdf")
        #expect(attachment.contentType.parameters["name"] == "보고서 (final); v2.pdf")
        let csv = root.part([3])!
        #expect(csv.filename == String(repeating: "long-name-", count: 12) + ".csv")
        #expect(csv.decodedBody() == (Array("a,b\n1,2\n".utf8), true))
    }

    @Test(arguments: [
        ("plain ascii\nsecond line", MIMETransferEncoding.sevenBit),
        ("mostly ascii with one é", .quotedPrintable),
        ("한국어 문장입니다. 日本語の文章です。", .base64),
        (String(repeating: "x", count: 1200), .quotedPrintable),
        ("", .sevenBit),
    ])
    func textRoundTrip(text: String, encoding: MIMETransferEncoding) {
        let raw = MIMEWriter.write(.text(text))
        let entity = MIMEParser.parse(raw)
        #expect(entity.transferEncoding == encoding)
        #expect(entity.contentType.charset == "utf-8")
        #expect(entity.decodedText() == (text.replacingOccurrences(of: "\n", with: "\r\n"), true))
    }

    @Test func headerFolding() {
        let subject = String(repeating: "word ", count: 40) + "end"
        let field = MIMEHeaderWriter.unstructured("Subject", subject)
        #expect(field.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 78 })
        #expect(MIMEParser.parseHeader(Array((field + "\r\n").utf8)).header["Subject"] == subject)
        // A caller's line break cannot start a field of its own.
        let injected = MIMEHeaderWriter.unstructured("Subject", "hi\r\nBcc: victim@x.y")
        let parsed = MIMEParser.parseHeader(Array((injected + "\r\n").utf8)).header
        #expect(parsed.count == 1)
        #expect(parsed["Subject"] == "hi  Bcc: victim@x.y")
        // Mixed text keeps its ASCII words readable.
        let mixed = MIMEHeaderWriter.unstructured("Subject", "Re: 회의 notes")
        #expect(mixed.hasPrefix("Subject: Re: =?utf-8?B?"))
        #expect(EncodedWords.decode(String(mixed.dropFirst(9).dropLast(1))) == "Re: 회의 notes")
        #expect(MIMEHeaderWriter.unstructured("Subject", "a =?x?q?y?= b").contains("=?utf-8?B?"))
    }

    @Test func parameterWriting() {
        #expect(MIMEHeaderWriter.parameters(["charset": "utf-8"]) == "; charset=utf-8")
        #expect(MIMEHeaderWriter.parameters(["filename": "a b;\"c\".txt"]) == "; filename=\"a b;\\\"c\\\".txt\"")
        #expect(MIMEHeaderWriter.parameters(["filename": "한.txt"]) == "; filename*=utf-8''%ED%95%9C.txt")
        let long = String(repeating: "한국", count: 20)
        let written = "attachment" + MIMEHeaderWriter.parameters(["filename": long])
        #expect(written.contains("filename*1*="))
        #expect(MIMEContentDisposition(parsing: written)?.parameters["filename"] == long)
    }

    @Test func forwardedMessageStaysByteForByte() {
        let inner = wire("Subject: inner\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n본문\n")
        let raw = MIMEWriter.write(.mixed([.text("see below"), .message(inner)]))
        let root = MIMEParser.parse(raw)
        let part = root.part([2])!
        #expect(part.transferEncoding == .eightBit)
        #expect(Array(part.bodyBytes) == inner)
        #expect(part.enclosedMessage?.text == "본문\r\n")
        #expect(root.part([2, 1])?.text == "본문\r\n")
    }

    @Test func messageIDsAndDates() {
        let first = MIMEWriter.makeMessageID(domain: "example.org")
        #expect(first.hasPrefix("<") && first.hasSuffix("@example.org>"))
        #expect(first != MIMEWriter.makeMessageID(domain: "example.org"))
        #expect(MIMEDate.parse(MIMEWriter.makeDate()) != nil)
    }
}
