import Foundation

/// Writes parts and messages as octets for SMTP, IMAP APPEND and the mail store: CRLF line ends, folded
/// headers, random boundaries checked against the content, transfer encodings chosen so that any transport
/// (7-bit SMTP included) carries the bytes unchanged.
public enum MIMEWriter {
    /// One entity: its header fields, the empty line, its body.
    public static func write(_ part: MIMEPart) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return write(part, topFields: [], generator: &generator)
    }

    static func write<G: RandomNumberGenerator>(_ part: MIMEPart, topFields: [String], generator: inout G) -> [UInt8] {
        var contentType = part.contentType
        var encoding = part.transferEncoding
        var body: [UInt8]
        switch part.content {
        case .bytes(let bytes):
            let isText = contentType.type == "text"
            // Text whose encoding is ours to choose gets canonical CRLF line ends (RFC 2046 §4.1.1); a part whose
            // encoding the caller fixed (an attachment) keeps its bytes exactly.
            let content = isText && encoding == nil ? crlf(bytes) : bytes
            let chosen = encoding ?? (isText ? textEncoding(content) : (contentType.isMessage ? .sevenBit : .base64))
            encoding = chosen
            switch chosen {
            case .base64: body = Base64.encode(content)
            case .quotedPrintable: body = QuotedPrintable.encode(content, binary: !isText)
            default: body = content
            }
        case .parts(let parts):
            encoding = nil
            let children = parts.map { write($0, topFields: [], generator: &generator) }
            var boundary = makeBoundary(&generator)
            // A random boundary colliding with content is all but impossible; checked anyway (RFC 2046 §5.1.1).
            while children.contains(where: { contains($0, Array("--\(boundary)".utf8)) }) { boundary = makeBoundary(&generator) }
            contentType.parameters.items.removeAll { $0.name == "boundary" }
            contentType.parameters.items.append(MIMEParameter(name: "boundary", value: boundary))
            body = []
            let delimiter = Array("--\(boundary)\r\n".utf8)
            for child in children {
                body += delimiter
                body += child
                body += [0x0D, 0x0A]
            }
            if children.isEmpty { body += delimiter + [0x0D, 0x0A] }
            body += Array("--\(boundary)--\r\n".utf8)
        }
        var header = topFields.joined()
        header += MIMEHeaderWriter.structured("Content-Type", contentType.mimeType + MIMEHeaderWriter.parameters(contentType.parameters))
        if let encoding, encoding != .sevenBit {
            header += MIMEHeaderWriter.structured("Content-Transfer-Encoding", encoding.name.lowercased())
        }
        if let disposition = part.disposition {
            header += MIMEHeaderWriter.structured("Content-Disposition", disposition.type + MIMEHeaderWriter.parameters(disposition.parameters))
        }
        if let id = part.contentID { header += MIMEHeaderWriter.structured("Content-ID", "<\(id)>") }
        for field in part.extraFields { header += MIMEHeaderWriter.unstructured(field.name, field.value) }
        return Array((header + "\r\n").utf8) + body
    }

    /// 7bit for ASCII text with lines of at most 998 octets (RFC 5322 §2.1.1), quoted-printable when most of it is
    /// ASCII, base64 when most is not (CJK text: a third of the size of quoted-printable).
    static func textEncoding(_ bytes: [UInt8]) -> MIMETransferEncoding {
        var nonASCII = 0
        var lineLength = 0
        var longLine = false
        for byte in bytes {
            if byte >= 0x80 || byte == 0 { nonASCII += 1 }
            if byte == 0x0A { lineLength = 0 } else { lineLength += 1 }
            if lineLength > 998 { longLine = true }
        }
        if nonASCII == 0, !longLine { return .sevenBit }
        return nonASCII * 3 > bytes.count ? .base64 : .quotedPrintable
    }

    /// Every line end as CRLF (a lone CR or LF included).
    static func crlf(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 40)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D {
                out += [0x0D, 0x0A]
                index += index + 1 < bytes.count && bytes[index + 1] == 0x0A ? 2 : 1
            } else if byte == 0x0A {
                out += [0x0D, 0x0A]
                index += 1
            } else {
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count, let first = needle.first else { return false }
        var index = 0
        while let found = haystack[index...].firstIndex(of: first) {
            if found + needle.count > haystack.count { return false }
            if haystack[found..<(found + needle.count)].elementsEqual(needle) { return true }
            index = found + 1
        }
        return false
    }

    /// `=_` can appear in neither base64 nor quoted-printable, so an encoded part never holds the boundary.
    static func makeBoundary<G: RandomNumberGenerator>(_ generator: inout G) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return "=_" + String((0..<28).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// A Message-ID value with its angle brackets: `<time.random@domain>` (RFC 5322 §3.6.4).
    public static func makeMessageID(domain: String, date: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        let random = String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
        return "<\(Int64(date.timeIntervalSince1970 * 1000)).\(random)@\(domain)>"
    }

    /// A Date field value for now (or `date`), in UTC.
    public static func makeDate(_ date: Date = Date()) -> String { MIMEDate.format(date) }
}

/// A message to write: the RFC 5322 fields a mail client sets, and its body.
public struct MIMEMessage: Sendable {
    public var from: [MIMEAddress]
    public var sender: MIMEAddress?
    public var replyTo: [MIMEAddress] = []
    public var to: [MIMEAddress] = []
    public var cc: [MIMEAddress] = []
    /// Written only when `writeBcc` (a copy kept in Sent may show it; what is sent must not).
    public var bcc: [MIMEAddress] = []
    public var writeBcc = false
    public var subject: String
    public var date: Date
    /// With angle brackets (`MIMEWriter.makeMessageID`); none written when nil.
    public var messageID: String?
    /// Message-IDs with their angle brackets.
    public var inReplyTo: [String] = []
    public var references: [String] = []
    /// More unstructured fields (X-Mailer, …), written after the others.
    public var extraFields: [(name: String, value: String)] = []
    public var body: MIMEPart

    public init(from: [MIMEAddress], subject: String, date: Date = Date(), messageID: String? = nil, body: MIMEPart) {
        self.from = from
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.body = body
    }

    /// The message's octets: its fields, MIME-Version, the body's entity.
    public func serialized() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return serialized(using: &generator)
    }

    public func serialized<G: RandomNumberGenerator>(using generator: inout G) -> [UInt8] {
        var fields: [String] = []
        fields.append(MIMEHeaderWriter.structured("Date", MIMEDate.format(date)))
        fields.append(MIMEHeaderWriter.structured("From", AddressList.format(from)))
        if let sender { fields.append(MIMEHeaderWriter.structured("Sender", sender.formatted)) }
        if !replyTo.isEmpty { fields.append(MIMEHeaderWriter.structured("Reply-To", AddressList.format(replyTo))) }
        if !to.isEmpty { fields.append(MIMEHeaderWriter.structured("To", AddressList.format(to))) }
        if !cc.isEmpty { fields.append(MIMEHeaderWriter.structured("Cc", AddressList.format(cc))) }
        if writeBcc, !bcc.isEmpty { fields.append(MIMEHeaderWriter.structured("Bcc", AddressList.format(bcc))) }
        fields.append(MIMEHeaderWriter.unstructured("Subject", subject))
        if let messageID { fields.append(MIMEHeaderWriter.structured("Message-ID", messageID)) }
        if !inReplyTo.isEmpty { fields.append(MIMEHeaderWriter.structured("In-Reply-To", inReplyTo.joined(separator: " "))) }
        if !references.isEmpty { fields.append(MIMEHeaderWriter.structured("References", references.joined(separator: " "))) }
        for field in extraFields { fields.append(MIMEHeaderWriter.unstructured(field.name, field.value)) }
        fields.append("MIME-Version: 1.0\r\n")
        return MIMEWriter.write(body, topFields: fields, generator: &generator)
    }
}
