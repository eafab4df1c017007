@testable import StarconMIME
import Testing

/// The MIME parser and everything that reads a parsed message, on mutated messages: never a crash; ranges
/// inside the message and nested as the tree is; the tree's promises kept (a multipart has parts, a
/// message/rfc822 part its message); every numbered part found again by its number; the same tree twice; any
/// leaf's decoded bytes written as an attachment read back byte for byte.
@Suite("Fuzz: MIME messages")
struct MIMEParserFuzzTests {
    static let tokens = [
        "\r\n", "\r\n\r\n", "\n\n", "Content-Type: ", "multipart/mixed; boundary=b", "multipart/alternative; boundary=\"c;d\"",
        "multipart/digest; boundary=b", "message/rfc822", "text/plain; charset=", "utf-8", "iso-2022-jp", "euc-jp", "gb2312",
        "shift_jis", "koi8-r", "Content-Transfer-Encoding: ", "base64", "quoted-printable", "--b", "--b--", "--c;d", "--c;d--",
        "Content-Disposition: attachment; filename*0*=utf-8''%E2%82%AC; filename*1=\"x\"", "=?utf-8?B?7ZWc?=", "=?gb2312?Q?=D6=D0?=",
        "=?", "?=", "=", "=\r\n", "==", "From: \"a, b\" <a@b>, g: c@d;", "(", ")", "\\", "\"", ";", ":", "<", ">", "@",
        "Date: Mon, 7 Dec 2026 14:23:59 +0900", "\u{1B}$B", "\u{1B}(B", " ", "\t",
    ]

    static let small = MIMELimits(maxDepth: 6, maxParts: 40, maxHeaderFields: 30, maxHeaderBytes: 1_500)

    @Test func mutatedMessages() throws {
        try Fuzzer("mime", tokens: Self.tokens, maxLength: 16_384).run { bytes in
            for limits in [MIMELimits.default, Self.small] {
                let root = MIMEParser.parse(bytes, limits: limits)
                try Self.check(root, within: 0..<bytes.count, depth: 0, limits: limits)
                let again = MIMEParser.parse(bytes, limits: limits)
                guard again.numberedParts.map(\.entity.range) == root.numberedParts.map(\.entity.range) else {
                    throw Fuzzer.Violation("two trees from one message")
                }
                var count = 0
                for (number, entity) in root.numberedParts {
                    count += 1
                    guard let found = root.part(number), found.range == entity.range else {
                        throw Fuzzer.Violation("part \(MIMEPartNumber.format(number)) not found by its number")
                    }
                }
                guard count <= limits.maxParts + 1 else { throw Fuzzer.Violation("\(count) parts past the limit") }
                try Self.readEverything(root)
            }
        }
    }

    static func check(_ entity: MIMEEntity, within range: Range<Int>, depth: Int, limits: MIMELimits) throws {
        guard entity.headerRange.lowerBound >= range.lowerBound, entity.headerRange.upperBound == entity.bodyRange.lowerBound,
              entity.bodyRange.upperBound <= range.upperBound else {
            throw Fuzzer.Violation("ranges \(entity.headerRange) \(entity.bodyRange) outside \(range)")
        }
        guard depth <= limits.maxDepth else { throw Fuzzer.Violation("depth \(depth) past the limit") }
        guard entity.header.count <= limits.maxHeaderFields else { throw Fuzzer.Violation("too many fields kept") }
        if entity.isMultipart, entity.children.isEmpty { throw Fuzzer.Violation("a multipart without parts") }
        if !entity.isMultipart, !entity.children.isEmpty { throw Fuzzer.Violation("parts under a leaf") }
        if entity.contentType.isMessage != (entity.enclosedMessage != nil) { throw Fuzzer.Violation("message/rfc822 without its message") }
        var previous = entity.bodyRange.lowerBound
        for child in entity.children {
            guard child.range.lowerBound >= previous else { throw Fuzzer.Violation("parts out of order") }
            try check(child, within: entity.bodyRange, depth: depth + 1, limits: limits)
            previous = child.range.upperBound
        }
        if let inner = entity.enclosedMessage {
            guard inner.range == entity.bodyRange else { throw Fuzzer.Violation("an enclosed message that is not the body") }
            try check(inner, within: entity.bodyRange, depth: depth + 1, limits: limits)
        }
    }

    /// What the IMAP session, web mail and the store read from a message.
    static func readEverything(_ root: MIMEEntity) throws {
        for field in root.header {
            _ = field.decodedValue
            if ["from", "to", "cc"].contains(field.name.lowercased()) { _ = AddressList.parse(field.value) }
            if field.is("date") { _ = MIMEDate.parse(field.value) }
        }
        for (_, entity) in root.numberedParts where !entity.isMultipart {
            _ = entity.filename
            _ = entity.bodyLineCount
            let (text, _) = entity.decodedText()
            guard text.utf8.count <= entity.bodyRange.count * 3 + 16 else { throw Fuzzer.Violation("text far larger than its body") }
            let decoded = entity.decodedBody().bytes
            guard decoded.count <= entity.bodyRange.count else { throw Fuzzer.Violation("decoded larger than encoded") }
            let filename = entity.filename ?? ""
            let written = MIMEWriter.write(.attachment(decoded, filename: filename, mimeType: entity.contentType.mimeType))
            let back = MIMEParser.parse(written)
            guard back.decodedBody() == (decoded, true) else { throw Fuzzer.Violation("an attachment did not read back byte for byte") }
            let readName = back.disposition?.parameters["filename"]
            guard readName == (filename.isEmpty ? nil : MIMEHeaderWriter.oneLine(filename)) else {
                throw Fuzzer.Violation("filename \(filename.debugDescription) read back as \(String(describing: readName))")
            }
        }
    }
}

/// The mail HTML sanitizer on mutated HTML: never a crash, and what comes out holds only allowlisted elements
/// and attributes, links to http, https or mailto, and pictures from the caller's URLs.
@Suite("Fuzz: mail HTML")
struct MailHTMLFuzzTests {
    static let tokens = [
        "<script>", "</script>", "<style>", "<img src=", "cid:a", "javascript:", "java\tscript:", "&#106;", "&#x6A", "&colon;",
        "<a href=\"", "https://x/", "mailto:a@b", "\"", "'", "`", "=", ">", "<", "</", "<!--", "-->", "<!", "<?", " on", "onerror=",
        "style=", "<svg>", "<math>", "<noscript>", "</noscript>", "<iframe", "<div>", "</div>", "<table><td>", "&amp;", "&", ";", "\0",
    ]

    @Test func mutatedHTML() throws {
        try Fuzzer("mail-html", tokens: Self.tokens, maxLength: 8_192).run { bytes in
            let html = String(decoding: bytes, as: UTF8.self)
            let output = MailHTMLSanitizer.sanitize(html) { "/mail/part/\($0.utf8.count)" }
            var tokenizer = HTMLTokenizer(Array(output.utf8))
            let names = Set(MailHTMLSanitizer.attributes.keys).union(["href", "rel", "target", "src", "class"])
            while let token = tokenizer.next() {
                guard case .start(let name, let attributes, _) = token else { continue }
                guard MailHTMLSanitizer.allowed.contains(name) else { throw Fuzzer.Violation("element \(name) in \(output)") }
                for attribute in attributes {
                    let value = HTMLEntities.decode(String(decoding: attribute.value, as: UTF8.self))
                    guard names.contains(attribute.name) else { throw Fuzzer.Violation("attribute \(attribute.name) in \(output)") }
                    if attribute.name == "href", !(value.hasPrefix("http:") || value.hasPrefix("https:") || value.hasPrefix("mailto:")) {
                        throw Fuzzer.Violation("href \(value)")
                    }
                    if attribute.name == "src", !value.hasPrefix("/mail/part/") { throw Fuzzer.Violation("src \(value)") }
                }
            }
            let lower = output.lowercased()
            for marker in ["<script", "<style", "<iframe", "<svg"] where lower.contains(marker) {
                throw Fuzzer.Violation("\(marker) in \(output)")
            }
        }
    }
}
