import Foundation
import StarconMIME

/// The top-level header of a stored message: where it ends, its fields unfolded, and the summary the store
/// keeps in columns. StarconMIME reads it; this only picks what the store needs.
public struct MailHeader: Sendable {
    /// Bytes up to and including the blank line that ends the header (the whole message when there is none).
    public let size: Int
    /// Fields in order, names as written, values unfolded (CRLF + WSP removed), not decoded.
    let fields: [(name: String, value: String)]

    public init(_ raw: [UInt8]) {
        let (header, end) = MIMEParser.parseHeader(raw)
        size = end
        fields = header.map { ($0.name, $0.value) }
    }

    /// The first field of that name (names compare without case).
    func value(_ name: String) -> String? {
        let key = name.lowercased()
        return fields.first(where: { $0.name.lowercased() == key })?.value
    }

    func has(_ name: String) -> Bool { value(name) != nil }

    /// The summary columns. `raw` is parsed for attachments: a multipart/mixed message or any part whose
    /// disposition is `attachment`.
    func summary(raw: [UInt8]) -> MailSummary { summary(parsed: MIMEParser.parse(raw)) }

    /// The same from the message already parsed.
    func summary(parsed: MIMEEntity) -> MailSummary {
        var summary = MailSummary()
        summary.from = EncodedWords.decode(value("From") ?? "")
        summary.to = EncodedWords.decode(value("To") ?? "")
        summary.cc = EncodedWords.decode(value("Cc") ?? "")
        summary.subject = EncodedWords.decode(value("Subject") ?? "")
        summary.messageID = value("Message-ID") ?? ""
        summary.inReplyTo = value("In-Reply-To") ?? ""
        summary.references = value("References") ?? ""
        summary.date = value("Date").flatMap(MailDate.parse)
        // As declared: a multipart/mixed whose parts are broken still says the sender attached something.
        let declared = value("Content-Type").flatMap(MIMEContentType.init(parsing:))
        summary.hasAttachments = declared?.mimeType == "multipart/mixed" || Self.hasAttachment(parsed)
        return summary
    }

    private static func hasAttachment(_ entity: MIMEEntity) -> Bool {
        if entity.disposition?.isAttachment == true { return true }
        return entity.children.contains(where: hasAttachment) || (entity.enclosedMessage.map(hasAttachment) ?? false)
    }
}

/// RFC 5322 §3.3 dates as Unix milliseconds; StarconMIME's `MIMEDate` does the work.
public enum MailDate {
    /// Unix milliseconds, or nil when the text is not a date.
    public static func parse(_ text: String) -> Int64? { MIMEDate.parseMilliseconds(text) }

    /// `Fri, 4 Dec 2026 23:15:00 +0000` for a Date header (always UTC).
    public static func format(_ milliseconds: Int64) -> String { MIMEDate.formatMilliseconds(milliseconds) }
}
