import Foundation
import SQLKit

/// A page of a mailbox, newest first.
public struct MailPage: Sendable {
    public let entries: [MailEntry]
    /// The uid to ask `before` for the next older page, nil when there is none.
    public let olderFrom: Int64?
    /// The uid to ask `after` for the next newer page, nil when this is the newest.
    public let newerFrom: Int64?
}

extension MailService {
    // MARK: What the web shows

    /// `limit` entries newest first: the newest ones, those below uid `before`, or the oldest ones above
    /// uid `after` (a keyset on uid, so a page is the same however many messages arrive meanwhile).
    public func page(mailboxID: Int64, before: Int64? = nil, after: Int64? = nil, limit: Int, of account: Account) async throws -> MailPage {
        let limit = max(1, min(limit, 200))
        return try await database.read { db in
            _ = try await owner(account, db: db)
            _ = try await Self.mailbox(id: mailboxID, accountID: account.id, db: db)
            var rows: [MailEntry]
            if let after {
                rows = try await db.raw("""
                    SELECT \(unsafeRaw: MailEntryRow.columns) FROM \(unsafeRaw: MailEntryRow.from)
                    WHERE e.mailbox_id = \(bind: mailboxID) AND e.uid > \(bind: after) ORDER BY e.uid LIMIT \(bind: limit + 1)
                    """).all().map(MailEntryRow.decode)
                let hasNewer = rows.count > limit
                rows = Array(rows.prefix(limit).reversed())
                let hasOlder = try await Self.exists(mailboxID, "e.uid < \(bind: rows.last?.uid ?? after + 1)", db: db)
                return MailPage(entries: rows, olderFrom: hasOlder ? rows.last?.uid ?? after + 1 : nil, newerFrom: hasNewer ? rows.first?.uid : nil)
            }
            let below = before ?? Int64.max
            rows = try await db.raw("""
                SELECT \(unsafeRaw: MailEntryRow.columns) FROM \(unsafeRaw: MailEntryRow.from)
                WHERE e.mailbox_id = \(bind: mailboxID) AND e.uid < \(bind: below) ORDER BY e.uid DESC LIMIT \(bind: limit + 1)
                """).all().map(MailEntryRow.decode)
            let hasOlder = rows.count > limit
            rows = Array(rows.prefix(limit))
            var hasNewer = false
            if before != nil { hasNewer = try await Self.exists(mailboxID, "e.uid >= \(bind: below)", db: db) }
            return MailPage(entries: rows, olderFrom: hasOlder ? rows.last?.uid : nil,
                            newerFrom: hasNewer ? (rows.first.map { $0.uid } ?? below - 1) : nil)
        }
    }

    private static func exists(_ mailboxID: Int64, _ condition: SQLQueryString, db: any SQLDatabase) async throws -> Bool {
        try await db.raw("SELECT 1 AS x FROM mail_entries e WHERE e.mailbox_id = \(bind: mailboxID) AND \(condition) LIMIT 1").first() != nil
    }

    /// One entry, nil when the mailbox has no such uid.
    public func entry(mailboxID: Int64, uid: Int64, of account: Account) async throws -> MailEntry? {
        try await entries(mailboxID: mailboxID, uids: [uid...uid], of: account).first
    }

    /// Unread messages per mailbox id (mailboxes without any are left out). Reads only: a member whose
    /// mailboxes were never made has none.
    public func unreadCounts(of account: Account) async throws -> [Int64: Int] {
        try await database.read { db in
            _ = try await owner(account, db: db)
            var counts: [Int64: Int] = [:]
            for row in try await db.raw("""
                SELECT e.mailbox_id, COUNT(*) AS n FROM mail_entries e JOIN mailboxes b ON b.id = e.mailbox_id
                WHERE b.account_id = \(bind: account.id) AND e.seen = 0 GROUP BY e.mailbox_id
                """).all() {
                counts[try row.decode(column: "mailbox_id", as: Int64.self)] = try row.decode(column: "n", as: Int.self)
            }
            return counts
        }
    }

    /// Unread messages in INBOX, for the navigation (0 for a member who may not use mail).
    public func unreadInInbox(of account: Account) async throws -> Int {
        try await database.read { db in
            guard let current = try await AccountService.find(id: account.id, db: db),
                  AccountService.mayUseMail(current, now: clock.nowMilliseconds()) else { return 0 }
            return try await db.raw("""
                SELECT COUNT(*) AS n FROM mail_entries e JOIN mailboxes b ON b.id = e.mailbox_id
                WHERE b.account_id = \(bind: account.id) AND b.role = 'inbox' AND e.seen = 0
                """).first()!.decode(column: "n", as: Int.self)
        }
    }

    /// The member's messages in any mailbox whose sender, subject or text (`field`) contains `query`, in
    /// any script, newest first.
    /// `offset` pages on through the results (newest first; ties in mailbox and uid order, so pages never overlap).
    public func search(_ query: String, field: TextSearchIndex.Field = .all, limit: Int = 50, offset: Int = 0,
                       of account: Account) async throws -> [MailEntry] {
        guard let query = TextSearchIndex.normalizedQuery(query) else { return [] }
        let condition = searchIndex.condition(idColumn: "m.id", query: query, field: field)
        return try await database.read { db in
            _ = try await owner(account, db: db)
            return try await db.raw("""
                SELECT \(unsafeRaw: MailEntryRow.columns) FROM \(unsafeRaw: MailEntryRow.from) JOIN mailboxes b ON b.id = e.mailbox_id
                WHERE b.account_id = \(bind: account.id) AND \(condition)
                ORDER BY m.received_at DESC, e.uid DESC, e.mailbox_id DESC
                LIMIT \(bind: max(1, min(limit, 201))) OFFSET \(bind: max(0, min(offset, Self.maxSearchOffset)))
                """).all().map(MailEntryRow.decode)
        }
    }

    /// How deep web mail's search pages go (200 pages of 50).
    public static let maxSearchOffset = 10_000

    /// The conversation `entry` belongs to: the member's messages (any mailbox, one entry per message)
    /// that share its thread root by References / In-Reply-To, oldest first.
    public func thread(of entry: MailEntry, of account: Account) async throws -> [MailEntry] {
        let ids = Self.messageIDs(entry.summary.references + " " + entry.summary.inReplyTo + " " + entry.summary.messageID)
        guard let root = ids.first else { return [entry] }
        return try await database.read { db in
            _ = try await owner(account, db: db)
            var found: [Int64: MailEntry] = [:]
            let likeRoot = "%" + TextSearchIndex.escapeLike(root) + "%"
            for row in try await db.raw("""
                SELECT \(unsafeRaw: MailEntryRow.columns) FROM \(unsafeRaw: MailEntryRow.from) JOIN mailboxes b ON b.id = e.mailbox_id
                WHERE b.account_id = \(bind: account.id) AND (b.role IS NULL OR b.role <> 'trash') AND (m.message_id_header IN (\(SQLList(ids.map { SQLBind($0) })))
                    OR m.in_reply_to IN (\(SQLList(ids.map { SQLBind($0) }))) OR m.refs LIKE \(bind: likeRoot) ESCAPE '\\')
                ORDER BY m.received_at, e.uid LIMIT 200
                """).all() {
                let candidate = try MailEntryRow.decode(row)
                if found[candidate.messageID] == nil { found[candidate.messageID] = candidate }
            }
            found[entry.messageID] = found[entry.messageID] ?? entry
            return found.values.sorted { ($0.internalDate, $0.uid) < ($1.internalDate, $1.uid) }
        }
    }

    /// `<a@b> <c@d>` → ["<a@b>", "<c@d>"], at most 50.
    static func messageIDs(_ text: String) -> [String] {
        var ids: [String] = [], seen = Set<String>()
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let id = String(rest[open...close])
            if seen.insert(id).inserted { ids.append(id) }
            rest = rest[rest.index(after: close)...]
            if ids.count == 50 { break }
        }
        return ids
    }

    // MARK: Settings

    /// The signature the web adds below a new message ("" when none).
    public func signature(of account: Account) async throws -> String {
        try await database.read { db in
            try await db.raw("SELECT signature FROM mail_settings WHERE account_id = \(bind: account.id)").first()?
                .decode(column: "signature", as: String.self) ?? ""
        }
    }

    public static let maxSignatureLength = 1_000

    public func setSignature(_ signature: String, of account: Account) async throws {
        let signature = signature.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\u{0}", with: "")
        guard signature.count <= Self.maxSignatureLength else { throw CoreError.invalid("mail_signature_too_long", field: "signature") }
        try await database.write { db in
            _ = try await owner(account, db: db)
            try await db.raw("""
                INSERT INTO mail_settings (account_id, signature) VALUES (\(bind: account.id), \(bind: signature))
                ON CONFLICT (account_id) DO UPDATE SET signature = excluded.signature
                """).run()
        }
    }
}
