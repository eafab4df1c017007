import Foundation

/// `type/subtype` with its parameters; type and subtype lowercased.
public struct MIMEContentType: Sendable, Hashable {
    public var type: String
    public var subtype: String
    public var parameters: MIMEParameters

    public init(type: String, subtype: String, parameters: MIMEParameters = MIMEParameters()) {
        self.type = type.lowercased()
        self.subtype = subtype.lowercased()
        self.parameters = parameters
    }

    /// RFC 2045 §5.2: a message with no Content-Type (or one that cannot be read) is `text/plain; charset=us-ascii`.
    public static let defaultText = MIMEContentType(type: "text", subtype: "plain", parameters: ["charset": "us-ascii"])
    /// RFC 2046 §5.1.5: a part of a multipart/digest with no Content-Type is `message/rfc822`.
    public static let defaultDigestPart = MIMEContentType(type: "message", subtype: "rfc822")
    /// What an opaque leaf (a part past a limit) is.
    public static let opaque = MIMEContentType(type: "application", subtype: "octet-stream")

    /// Reads a Content-Type value; nil when it has no `type/subtype`.
    public init?(parsing value: String) {
        let (head, parameters) = HeaderParameters.parse(value)
        guard let slash = head.firstIndex(of: "/") else { return nil }
        let type = head[..<slash], subtype = head[head.index(after: slash)...]
        guard !type.isEmpty, !subtype.isEmpty, !subtype.contains("/") else { return nil }
        self.init(type: String(type), subtype: String(subtype), parameters: parameters)
    }

    /// `text/plain`
    public var mimeType: String { "\(type)/\(subtype)" }
    public var isMultipart: Bool { type == "multipart" }
    /// message/rfc822 and message/global (RFC 6532 §3.7): an enclosed message to parse.
    public var isMessage: Bool { type == "message" && (subtype == "rfc822" || subtype == "global") }
    public var charset: String? { parameters["charset"] }
    public var boundary: String? { parameters["boundary"] }
}

/// Content-Disposition (RFC 2183): `inline` or `attachment` (lowercased) and its parameters.
public struct MIMEContentDisposition: Sendable, Hashable {
    public var type: String
    public var parameters: MIMEParameters

    public init(type: String, parameters: MIMEParameters = MIMEParameters()) {
        self.type = type.lowercased()
        self.parameters = parameters
    }

    public init?(parsing value: String) {
        let (head, parameters) = HeaderParameters.parse(value)
        guard !head.isEmpty else { return nil }
        self.init(type: head, parameters: parameters)
    }

    public var isAttachment: Bool { type == "attachment" }
    public var isInline: Bool { type == "inline" }
}

/// Content-Transfer-Encoding (RFC 2045 §6).
public enum MIMETransferEncoding: Sendable, Hashable {
    case sevenBit, eightBit, binary, base64, quotedPrintable
    /// An unknown token (lowercased): the body is left as it is.
    case other(String)

    public init(parsing value: String?) {
        let token = (value.map { HeaderParameters.parse($0).value }) ?? ""
        switch token {
        case "", "7bit": self = .sevenBit
        case "8bit": self = .eightBit
        case "binary": self = .binary
        case "base64": self = .base64
        case "quoted-printable": self = .quotedPrintable
        default: self = .other(token)
        }
    }

    /// The token as written in a header and in IMAP's BODYSTRUCTURE (`7BIT`, `BASE64`, …).
    public var name: String {
        switch self {
        case .sevenBit: return "7BIT"
        case .eightBit: return "8BIT"
        case .binary: return "BINARY"
        case .base64: return "BASE64"
        case .quotedPrintable: return "QUOTED-PRINTABLE"
        case .other(let token): return token.uppercased()
        }
    }
}

/// One entity of a message (RFC 2045 §2.4): the message itself, a part of a multipart, or the message enclosed
/// in a message/rfc822 part. It keeps the whole original message, so its bytes are always to hand.
public struct MIMEEntity: Sendable {
    /// The whole message this entity was parsed from (shared, not copied, between entities).
    public let raw: [UInt8]
    /// The ordered header fields.
    public var header: MIMEHeader
    /// The header's octets in `raw`, including the empty line that ends it (IMAP's `HEADER` and `MIME`).
    public var headerRange: Range<Int>
    /// The body's octets in `raw` (IMAP's `TEXT`, and a part's body): for a part, up to but not including the
    /// line end before the next boundary delimiter (RFC 2046 §5.1.1).
    public var bodyRange: Range<Int>
    /// The content type in force: the header's, else the default (text/plain, or message/rfc822 in a digest).
    public var contentType: MIMEContentType
    public var disposition: MIMEContentDisposition?
    public var transferEncoding: MIMETransferEncoding
    /// The parts of a multipart (empty for any other entity).
    public var children: [MIMEEntity]
    /// The message inside a message/rfc822 or message/global part (an array so the type can hold itself).
    var enclosed: [MIMEEntity]
    /// What the parser worked around in this entity (not in its children: see `allProblems`).
    public var problems: [MIMEProblem]

    public init(
        raw: [UInt8], header: MIMEHeader, headerRange: Range<Int>, bodyRange: Range<Int>, contentType: MIMEContentType,
        disposition: MIMEContentDisposition? = nil, transferEncoding: MIMETransferEncoding = .sevenBit,
        children: [MIMEEntity] = [], enclosedMessage: MIMEEntity? = nil, problems: [MIMEProblem] = []
    ) {
        self.raw = raw
        self.header = header
        self.headerRange = headerRange
        self.bodyRange = bodyRange
        self.contentType = contentType
        self.disposition = disposition
        self.transferEncoding = transferEncoding
        self.children = children
        self.enclosed = enclosedMessage.map { [$0] } ?? []
        self.problems = problems
    }

    /// The message inside a message/rfc822 (or message/global) part.
    public var enclosedMessage: MIMEEntity? {
        get { enclosed.first }
        set { enclosed = newValue.map { [$0] } ?? [] }
    }

    public var isMultipart: Bool { contentType.isMultipart }

    /// The header's octets (with its final empty line).
    public var headerBytes: ArraySlice<UInt8> { raw[headerRange] }
    /// The body's octets as sent (still transfer-encoded).
    public var bodyBytes: ArraySlice<UInt8> { raw[bodyRange] }
    /// The entity's octets: header and body.
    public var range: Range<Int> { headerRange.lowerBound..<bodyRange.upperBound }

    /// Lines in the body (IMAP's body-fld-lines for text/* and message/rfc822): line ends, plus one for a last
    /// line that has none.
    public var bodyLineCount: Int {
        var count = 0
        for byte in raw[bodyRange] where byte == 0x0A { count += 1 }
        if let last = raw[bodyRange].last, last != 0x0A { count += 1 }
        return count
    }

    /// The filename: Content-Disposition's `filename`, else Content-Type's `name` (RFC 2231 decoded; RFC 2047
    /// encoded words inside, which many clients send, decoded too).
    public var filename: String? {
        guard let name = disposition?.parameters["filename"] ?? contentType.parameters["name"], !name.isEmpty else { return nil }
        return EncodedWords.decode(name)
    }

    /// Content-ID without its angle brackets (what a `cid:` URL names, RFC 2392).
    public var contentID: String? {
        guard var id = header["Content-ID"]?.trimmingCharacters(in: .whitespaces), !id.isEmpty else { return nil }
        if id.hasPrefix("<") { id.removeFirst() }
        if id.hasSuffix(">") { id.removeLast() }
        return id
    }

    /// Whether a reader shows this part as an attachment rather than as the message text: a disposition of
    /// `attachment`, a filename, or any leaf that is not text.
    public var isAttachment: Bool {
        guard !isMultipart, !contentType.isMessage || disposition?.isAttachment == true else { return false }
        if disposition?.isAttachment == true || filename != nil { return true }
        return contentType.type != "text"
    }

    /// Every problem in this entity and below it.
    public var allProblems: [MIMEProblem] {
        var found = problems
        for child in children { found += child.allProblems }
        for message in enclosed { found += message.allProblems }
        return found
    }
}

extension MIMEEntity {
    /// The body with its transfer encoding undone, and whether that went cleanly (bad base64 or
    /// quoted-printable still gives what could be read).
    public func decodedBody() -> (bytes: [UInt8], clean: Bool) {
        switch transferEncoding {
        case .base64: return Base64.decode(raw[bodyRange])
        case .quotedPrintable: return QuotedPrintable.decode(raw[bodyRange])
        default: return (Array(raw[bodyRange]), true)
        }
    }

    /// The body as text in its charset (us-ascii, read as UTF-8, when none is given). What cannot be read shows
    /// as U+FFFD; `exact` says whether anything was replaced or the transfer encoding was broken.
    public func decodedText(defaultCharset: String = "us-ascii") -> (text: String, exact: Bool) {
        let (bytes, clean) = decodedBody()
        let (text, exact) = Charsets.decodeReporting(bytes, charset: contentType.charset ?? defaultCharset)
        return (text, exact && clean)
    }

    /// The body as text (see `decodedText`).
    public var text: String { decodedText().text }
}
