/// A part to write: its type, how it is shown, and its content (bytes, parts, or an enclosed message).
public struct MIMEPart: Sendable {
    public enum Content: Sendable {
        /// A leaf's octets, not yet transfer-encoded.
        case bytes([UInt8])
        /// The parts of a multipart.
        case parts([MIMEPart])
    }

    public var contentType: MIMEContentType
    public var disposition: MIMEContentDisposition?
    /// Without angle brackets; written as `Content-ID: <id>`.
    public var contentID: String?
    /// Chosen from the content when nil: 7bit for short-lined ASCII text, quoted-printable for mostly-ASCII text,
    /// base64 for the rest; always base64 for a non-text leaf, so attachments arrive byte for byte.
    public var transferEncoding: MIMETransferEncoding?
    /// More fields for this part (Content-Description, Content-Language, …), written as given (unstructured).
    public var extraFields: [(name: String, value: String)]
    public var content: Content

    public init(
        contentType: MIMEContentType, disposition: MIMEContentDisposition? = nil, contentID: String? = nil,
        transferEncoding: MIMETransferEncoding? = nil, extraFields: [(name: String, value: String)] = [], content: Content
    ) {
        self.contentType = contentType
        self.disposition = disposition
        self.contentID = contentID
        self.transferEncoding = transferEncoding
        self.extraFields = extraFields
        self.content = content
    }

    /// text/plain (or another text subtype) in UTF-8; line ends become CRLF.
    public static func text(_ text: String, subtype: String = "plain") -> MIMEPart {
        MIMEPart(contentType: MIMEContentType(type: "text", subtype: subtype, parameters: ["charset": "utf-8"]),
                 content: .bytes(Array(text.utf8)))
    }

    public static func html(_ html: String) -> MIMEPart { text(html, subtype: "html") }

    /// A file: `attachment` (or `inline`, for a picture in the text), its name in both Content-Type and
    /// Content-Disposition (RFC 2231 when not ASCII), base64.
    public static func attachment(
        _ bytes: [UInt8], filename: String, mimeType: String = "application/octet-stream", inline: Bool = false, contentID: String? = nil
    ) -> MIMEPart {
        let type = MIMEContentType(parsing: mimeType) ?? .opaque
        var parameters = type.parameters
        parameters.items.removeAll { $0.name == "name" }
        if !filename.isEmpty { parameters.items.append(MIMEParameter(name: "name", value: filename)) }
        return MIMEPart(
            contentType: MIMEContentType(type: type.type, subtype: type.subtype, parameters: parameters),
            disposition: MIMEContentDisposition(type: inline ? "inline" : "attachment",
                                                parameters: filename.isEmpty ? [:] : ["filename": filename]),
            contentID: contentID, transferEncoding: .base64, content: .bytes(bytes))
    }

    /// A whole message as a part (a forward as attachment): message/rfc822, its octets unchanged.
    public static func message(_ raw: [UInt8]) -> MIMEPart {
        MIMEPart(contentType: MIMEContentType(type: "message", subtype: "rfc822"),
                 transferEncoding: raw.contains(where: { $0 >= 0x80 }) ? .eightBit : .sevenBit, content: .bytes(raw))
    }

    public static func multipart(_ subtype: String, _ parts: [MIMEPart], parameters: MIMEParameters = [:]) -> MIMEPart {
        MIMEPart(contentType: MIMEContentType(type: "multipart", subtype: subtype, parameters: parameters), content: .parts(parts))
    }

    /// The text and its attachments.
    public static func mixed(_ parts: [MIMEPart]) -> MIMEPart { multipart("mixed", parts) }
    /// The same content in several forms, plainest first (RFC 2046 §5.1.4).
    public static func alternative(_ parts: [MIMEPart]) -> MIMEPart { multipart("alternative", parts) }
    /// A root (usually HTML) and the pictures it names by `cid:` (RFC 2387).
    public static func related(_ root: MIMEPart, _ resources: [MIMEPart]) -> MIMEPart {
        multipart("related", [root] + resources, parameters: ["type": root.contentType.mimeType])
    }
}
