import Foundation
import SQLKit

/// Reading `mailboxes` and `mail_entries` rows; the one place that knows their column names.
enum MailboxRow {
    static let columns = "id, account_id, name, role, uid_validity, uid_next, highest_modseq, subscribed"

    static func decode(_ row: any SQLRow) throws -> Mailbox {
        Mailbox(id: try row.decode(column: "id", as: Int64.self),
                accountID: try row.decode(column: "account_id", as: Int64.self),
                name: try row.decode(column: "name", as: String.self),
                role: try row.decode(column: "role", as: String?.self).flatMap(MailboxRole.init(rawValue:)),
                uidValidity: try row.decode(column: "uid_validity", as: Int64.self),
                uidNext: try row.decode(column: "uid_next", as: Int64.self),
                highestModseq: try row.decode(column: "highest_modseq", as: Int64.self),
                subscribed: try row.decode(column: "subscribed", as: Int.self) != 0)
    }
}

enum MailEntryRow {
    /// Entry `e` joined with its message `m`.
    static let columns = """
        e.mailbox_id, e.uid, e.message_id, e.seen, e.answered, e.flagged, e.deleted, e.draft, e.keywords, e.modseq,
        m.size, m.received_at, m.from_text, m.to_text, m.cc_text, m.subject, m.message_id_header, m.in_reply_to, m.refs,
        m.sent_at, m.has_attachments
        """
    static let from = "mail_entries e JOIN mail_messages m ON m.id = e.message_id"

    static func decode(_ row: any SQLRow) throws -> MailEntry {
        var flags = MailFlags()
        for (flag, column) in [(MailFlags.seen, "seen"), (.answered, "answered"), (.flagged, "flagged"), (.deleted, "deleted"), (.draft, "draft")]
        where try row.decode(column: column, as: Int.self) != 0 {
            flags.insert(flag)
        }
        var summary = MailSummary()
        summary.from = try row.decode(column: "from_text", as: String.self)
        summary.to = try row.decode(column: "to_text", as: String.self)
        summary.cc = try row.decode(column: "cc_text", as: String.self)
        summary.subject = try row.decode(column: "subject", as: String.self)
        summary.messageID = try row.decode(column: "message_id_header", as: String.self)
        summary.inReplyTo = try row.decode(column: "in_reply_to", as: String.self)
        summary.references = try row.decode(column: "refs", as: String.self)
        summary.date = try row.decode(column: "sent_at", as: Int64?.self)
        summary.hasAttachments = try row.decode(column: "has_attachments", as: Int.self) != 0
        let keywords = try row.decode(column: "keywords", as: String.self)
        return MailEntry(mailboxID: try row.decode(column: "mailbox_id", as: Int64.self),
                         uid: try row.decode(column: "uid", as: Int64.self),
                         messageID: try row.decode(column: "message_id", as: Int64.self),
                         flags: flags,
                         keywords: keywords.split(separator: " ").map(String.init),
                         modseq: try row.decode(column: "modseq", as: Int64.self),
                         size: try row.decode(column: "size", as: Int.self),
                         internalDate: try row.decode(column: "received_at", as: Int64.self),
                         summary: summary)
    }
}

/// A set of uids as ranges (IMAP's `1:*` is one range, however many messages it covers), turned into SQL.
public typealias MailUIDSet = [ClosedRange<Int64>]

extension Array where Element == ClosedRange<Int64> {
    /// `(e.uid BETWEEN a AND b OR …)`; false for an empty set.
    func sqlCondition(column: String = "e.uid") -> SQLQueryString {
        guard !isEmpty else { return "1 = 0" }
        var condition: SQLQueryString = "("
        for (index, range) in enumerated() {
            if index > 0 { condition.appendInterpolation(unsafeRaw: " OR ") }
            condition.appendInterpolation(unsafeRaw: column)
            condition.appendInterpolation(unsafeRaw: " BETWEEN ")
            condition.appendInterpolation(bind: range.lowerBound)
            condition.appendInterpolation(unsafeRaw: " AND ")
            condition.appendInterpolation(bind: range.upperBound)
        }
        condition.appendInterpolation(unsafeRaw: ")")
        return condition
    }
}
