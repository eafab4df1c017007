import Foundation
import SQLKit

/// Mail: every member's mailboxes and the messages in them, for SMTP, IMAP and the web alike.
///
/// API (stable; the IMAP server is built on it):
/// - Mailboxes: `mailboxes(of:)` (makes INBOX, Sent, Drafts, Trash and Junk the first time), `mailbox(named:of:)`
///   (INBOX in any case), `mailbox(id:of:)`, `createMailbox(named:of:)`, `renameMailbox(id:to:of:)` (children
///   move with it; renaming INBOX moves its messages to the new mailbox and leaves INBOX empty, RFC 3501 §6.3.5),
///   `deleteMailbox(id:of:)` (INBOX and the special-use mailboxes cannot be deleted; children stay),
///   `setSubscribed(id:_:of:)`, `status(mailboxID:of:)`.
/// - Entries (a message in a mailbox, by uid, ascending): `entries(mailboxID:uids:of:)` (nil uids: all),
///   `raw(mailboxID:uids:of:)` and `headers(mailboxID:uids:of:)` (the bytes by uid), `claimRecent(mailboxID:of:)`
///   (a SELECT: returns the first uid that is \Recent for this session; later sessions see none of them as
///   recent), `changes(mailboxID:since:of:)` (entries changed and uids expunged after a modseq: what a session
///   that heard a `.mailbox` event sends its client).
/// - Changing: `append(_:to:flags:keywords:internalDate:of:)` → uid; `store(mailboxID:uids:flags:keywords:_:
///   unchangedSince:of:)` → the changed entries and the uids UNCHANGEDSINCE refused; `copy(mailboxID:uids:to:of:)`
///   and `move(…)` → `CopyResult` (COPYUID); `expunge(mailboxID:uids:of:)` → the uids removed (nil uids: every
///   \Deleted one, as EXPUNGE; a set: UID EXPUNGE).
/// - Delivery (SMTP): `deliver(_:to:)` puts one message in each local member's INBOX in one transaction.
///
/// Uids: each mailbox's `uid_next` is taken with `UPDATE … RETURNING` in the transaction that adds the entry,
/// so uids are unique and increasing however many nodes write; UIDVALIDITY never repeats for a member
/// (`mail_accounts`). Every change bumps the mailbox's modseq (RFC 7162) and is written with a
/// `.mailbox(accountID:mailboxID:)` event, so an IDLE session on any node hears it.
///
/// Rules: a member only ever reaches their own mailboxes (anyone else's id is `notFound`); a member who may
/// not sign in (suspended, pending, past their expiry) may not use mail (`AccountService.ensureMayUseMail`),
/// checked against the account as stored, not as the caller last saw it. Mail-only accounts may.
public struct MailService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    let log: EventLog
    /// The mail domain: members' addresses are `username@domain`.
    public let domain: String

    init(database: any Database, ids: IDGenerator, clock: Clock, log: EventLog, domain: String) {
        self.database = database
        self.ids = ids
        self.clock = clock
        self.log = log
        self.domain = domain.lowercased()
    }

    /// Mail in the text search index (filled in `insertMessage`).
    var searchIndex: TextSearchIndex { TextSearchIndex(kind: "mail", engine: database.engine) }

    /// A member's address.
    public func address(of account: Account) -> String { "\(account.username)@\(domain)" }

    // MARK: Owners

    /// The member as stored now, checked: may they use mail?
    func owner(_ account: Account, db: any SQLDatabase) async throws -> Account {
        guard let current = try await AccountService.find(id: account.id, db: db) else { throw CoreError.notFound }
        try AccountService.ensureMayUseMail(current, now: clock.nowMilliseconds())
        return current
    }

    /// The mailbox `id` if it is the owner's, else `notFound`.
    static func mailbox(id: Int64, accountID: Int64, db: any SQLDatabase) async throws -> Mailbox {
        guard let row = try await db.raw("""
            SELECT \(unsafeRaw: MailboxRow.columns) FROM mailboxes WHERE id = \(bind: id) AND account_id = \(bind: accountID)
            """).first() else { throw CoreError.notFound }
        return try MailboxRow.decode(row)
    }

    static func mailbox(role: MailboxRole, accountID: Int64, db: any SQLDatabase) async throws -> Mailbox? {
        try await db.raw("""
            SELECT \(unsafeRaw: MailboxRow.columns) FROM mailboxes WHERE account_id = \(bind: accountID) AND role = \(bind: role.rawValue)
            """).first().map(MailboxRow.decode)
    }

    /// Makes the special-use mailboxes a member lacks (all of them, the first time). In a write transaction.
    func ensureStandardMailboxes(accountID: Int64, db: any SQLDatabase) async throws {
        let have = try await db.raw("""
            SELECT role FROM mailboxes WHERE account_id = \(bind: accountID) AND role IS NOT NULL
            """).all().compactMap { try $0.decode(column: "role", as: String.self) }
        guard have.count < MailboxRole.allCases.count else { return }
        for role in MailboxRole.allCases where !have.contains(role.rawValue) {
            var name = role.defaultName
            // The member may have made a mailbox of that name themselves: the special one gets a suffix.
            var suffix = 1
            while try await db.raw("SELECT id FROM mailboxes WHERE account_id = \(bind: accountID) AND name = \(bind: name)").first() != nil {
                suffix += 1
                name = "\(role.defaultName) \(suffix)"
            }
            _ = try await insertMailbox(name: name, role: role, accountID: accountID, db: db)
        }
    }

    /// A new mailbox with the member's next UIDVALIDITY.
    func insertMailbox(name: String, role: MailboxRole?, accountID: Int64, db: any SQLDatabase) async throws -> Mailbox {
        let seconds = clock.nowMilliseconds() / 1000
        try await db.raw("""
            INSERT INTO mail_accounts (account_id, uid_validity) VALUES (\(bind: accountID), 0) ON CONFLICT (account_id) DO NOTHING
            """).run()
        let validity = try await db.raw("""
            UPDATE mail_accounts SET uid_validity = CASE WHEN uid_validity + 1 > \(bind: seconds) THEN uid_validity + 1 ELSE \(bind: seconds) END
            WHERE account_id = \(bind: accountID) RETURNING uid_validity
            """).first()!.decode(column: "uid_validity", as: Int64.self)
        let id = ids.next()
        try await db.raw("""
            INSERT INTO mailboxes (id, account_id, name, role, uid_validity, created_at)
            VALUES (\(bind: id), \(bind: accountID), \(bind: name), \(bind: role?.rawValue), \(bind: validity), \(bind: clock.nowMilliseconds()))
            """).run()
        return try await Self.mailbox(id: id, accountID: accountID, db: db)
    }

    /// Takes `count` uids and a new modseq for a change to `mailbox`; returns the first uid and the modseq.
    static func advance(mailboxID: Int64, uids count: Int64, db: any SQLDatabase) async throws -> (firstUID: Int64, modseq: Int64) {
        let row = try await db.raw("""
            UPDATE mailboxes SET uid_next = uid_next + \(bind: count), highest_modseq = highest_modseq + 1
            WHERE id = \(bind: mailboxID) RETURNING uid_next, highest_modseq
            """).first()!
        return (try row.decode(column: "uid_next", as: Int64.self) - count, try row.decode(column: "highest_modseq", as: Int64.self))
    }

    static func changed(_ accountID: Int64, _ mailboxID: Int64, _ outbox: EventOutbox) {
        outbox.add(Event(to: [accountID], .mailbox(accountID: accountID, mailboxID: mailboxID)))
    }

    // MARK: Mailboxes

    /// The member's mailboxes by name; the special-use ones are made the first time.
    public func mailboxes(of account: Account) async throws -> [Mailbox] {
        let existing: [Mailbox] = try await database.read { db in
            _ = try await owner(account, db: db)
            return try await Self.list(accountID: account.id, db: db)
        }
        if existing.filter({ $0.role != nil }).count == MailboxRole.allCases.count { return existing }
        return try await log.write { db, _ in
            _ = try await owner(account, db: db)
            try await ensureStandardMailboxes(accountID: account.id, db: db)
            return try await Self.list(accountID: account.id, db: db)
        }
    }

    static func list(accountID: Int64, db: any SQLDatabase) async throws -> [Mailbox] {
        try await db.raw("SELECT \(unsafeRaw: MailboxRow.columns) FROM mailboxes WHERE account_id = \(bind: accountID) ORDER BY name")
            .all().map(MailboxRow.decode)
    }

    /// The mailbox of that name (INBOX in any case), nil when there is none.
    public func mailbox(named name: String, of account: Account) async throws -> Mailbox? {
        guard let normalized = try? MailRules.normalizedName(name) else { return nil }
        return try await mailboxes(of: account).first { $0.name == normalized }
    }

    public func mailbox(id: Int64, of account: Account) async throws -> Mailbox {
        try await database.read { db in
            _ = try await owner(account, db: db)
            return try await Self.mailbox(id: id, accountID: account.id, db: db)
        }
    }

    /// The member's mailbox with that role (made if missing).
    public func mailbox(role: MailboxRole, of account: Account) async throws -> Mailbox {
        try await mailboxes(of: account).first { $0.role == role }!
    }

    public func createMailbox(named name: String, of account: Account) async throws -> Mailbox {
        let name = try MailRules.normalizedName(name)
        return try await log.write { db, outbox in
            _ = try await owner(account, db: db)
            try await ensureStandardMailboxes(accountID: account.id, db: db)
            if try await db.raw("SELECT id FROM mailboxes WHERE account_id = \(bind: account.id) AND name = \(bind: name)").first() != nil {
                throw CoreError(.conflict, "mail_mailbox_exists", field: "name")
            }
            let count = try await db.raw("SELECT COUNT(*) AS n FROM mailboxes WHERE account_id = \(bind: account.id)").first()!
                .decode(column: "n", as: Int.self)
            guard count < MailRules.maxMailboxes else { throw CoreError.invalid("mail_too_many_mailboxes", field: "name") }
            let mailbox = try await insertMailbox(name: name, role: nil, accountID: account.id, db: db)
            Self.changed(account.id, mailbox.id, outbox)
            return mailbox
        }
    }

    /// Renames a mailbox and every mailbox below it (`A/B` goes with `A`). Renaming INBOX makes a new
    /// mailbox of that name holding INBOX's messages, and INBOX stays, empty (RFC 3501 §6.3.5).
    public func renameMailbox(id: Int64, to newName: String, of account: Account) async throws -> Mailbox {
        let newName = try MailRules.normalizedName(newName)
        return try await log.write { db, outbox in
            _ = try await owner(account, db: db)
            let mailbox = try await Self.mailbox(id: id, accountID: account.id, db: db)
            let all = try await Self.list(accountID: account.id, db: db)
            let names = Set(all.map(\.name))
            guard !names.contains(newName) else { throw CoreError(.conflict, "mail_mailbox_exists", field: "name") }
            if mailbox.role == .inbox {
                guard !newName.hasPrefix("INBOX/") else { throw CoreError.invalid("mail_bad_mailbox_name", field: "name") }
                let target = try await insertMailbox(name: newName, role: nil, accountID: account.id, db: db)
                let uids = try await db.raw("SELECT uid FROM mail_entries WHERE mailbox_id = \(bind: id) ORDER BY uid")
                    .all().map { try $0.decode(column: "uid", as: Int64.self) }
                if !uids.isEmpty {
                    _ = try await moveEntries(from: mailbox, uids: [uids.first!...uids.last!], to: target, db: db)
                }
                Self.changed(account.id, id, outbox)
                Self.changed(account.id, target.id, outbox)
                return try await Self.mailbox(id: target.id, accountID: account.id, db: db)
            }
            let prefix = mailbox.name + String(Mailbox.delimiter)
            guard !newName.hasPrefix(prefix) else { throw CoreError.invalid("mail_bad_mailbox_name", field: "name") }
            let moving = all.filter { $0.id == id || $0.name.hasPrefix(prefix) }
            for child in moving {
                let renamed = newName + child.name.dropFirst(mailbox.name.count)
                if child.id != id, names.contains(renamed) { throw CoreError(.conflict, "mail_mailbox_exists", field: "name") }
            }
            for child in moving {
                let renamed = newName + child.name.dropFirst(mailbox.name.count)
                try await db.raw("UPDATE mailboxes SET name = \(bind: renamed) WHERE id = \(bind: child.id)").run()
                Self.changed(account.id, child.id, outbox)
            }
            return try await Self.mailbox(id: id, accountID: account.id, db: db)
        }
    }

    /// Deletes a mailbox and the messages in it (mailboxes below it stay). INBOX and the special-use
    /// mailboxes are not deleted.
    public func deleteMailbox(id: Int64, of account: Account) async throws {
        try await log.write { db, outbox in
            _ = try await owner(account, db: db)
            let mailbox = try await Self.mailbox(id: id, accountID: account.id, db: db)
            guard mailbox.role == nil else { throw CoreError(.forbidden, "mail_special_mailbox") }
            let messages = try await db.raw("SELECT message_id FROM mail_entries WHERE mailbox_id = \(bind: id)")
                .all().map { try $0.decode(column: "message_id", as: Int64.self) }
            try await db.raw("DELETE FROM mail_entries WHERE mailbox_id = \(bind: id)").run()
            try await db.raw("DELETE FROM mail_expunged WHERE mailbox_id = \(bind: id)").run()
            try await db.raw("DELETE FROM mailboxes WHERE id = \(bind: id)").run()
            try await Self.deleteUnreferenced(messages, db: db)
            Self.changed(account.id, id, outbox)
        }
    }

    public func setSubscribed(id: Int64, _ subscribed: Bool, of account: Account) async throws {
        try await log.write { db, outbox in
            _ = try await owner(account, db: db)
            _ = try await Self.mailbox(id: id, accountID: account.id, db: db)
            try await db.raw("UPDATE mailboxes SET subscribed = \(bind: subscribed ? 1 : 0) WHERE id = \(bind: id)").run()
            Self.changed(account.id, id, outbox)
        }
    }

    public func status(mailboxID: Int64, of account: Account) async throws -> MailboxStatus {
        try await database.read { db in
            _ = try await owner(account, db: db)
            let mailbox = try await Self.mailbox(id: mailboxID, accountID: account.id, db: db)
            let row = try await db.raw("""
                SELECT COUNT(*) AS messages,
                    COALESCE(SUM(CASE WHEN seen = 0 THEN 1 ELSE 0 END), 0) AS unseen,
                    COALESCE(SUM(CASE WHEN uid >= r.recent_from THEN 1 ELSE 0 END), 0) AS recent
                FROM mail_entries e JOIN mailboxes r ON r.id = e.mailbox_id WHERE e.mailbox_id = \(bind: mailboxID)
                """).first()!
            return MailboxStatus(messages: try row.decode(column: "messages", as: Int.self), recent: try row.decode(column: "recent", as: Int.self),
                                 unseen: try row.decode(column: "unseen", as: Int.self), uidNext: mailbox.uidNext,
                                 uidValidity: mailbox.uidValidity, highestModseq: mailbox.highestModseq)
        }
    }

    /// Messages no entry holds any more are deleted (their bytes were stored once for every copy).
    static func deleteUnreferenced(_ messageIDs: [Int64], db: any SQLDatabase) async throws {
        for start in stride(from: 0, to: messageIDs.count, by: 500) {
            let chunk = Set(messageIDs[start..<min(start + 500, messageIDs.count)])
            try await db.raw("""
                DELETE FROM mail_message_bytes WHERE message_id IN (\(SQLList(chunk.map { SQLBind($0) })))
                AND NOT EXISTS (SELECT 1 FROM mail_entries e WHERE e.message_id = mail_message_bytes.message_id)
                """).run()
            try await db.raw("""
                DELETE FROM mail_messages WHERE id IN (\(SQLList(chunk.map { SQLBind($0) })))
                AND NOT EXISTS (SELECT 1 FROM mail_entries e WHERE e.message_id = mail_messages.id)
                """).run()
            try await db.raw("""
                DELETE FROM search_documents WHERE kind = 'mail' AND doc_id IN (\(SQLList(chunk.map { SQLBind($0) })))
                AND NOT EXISTS (SELECT 1 FROM mail_messages m WHERE m.id = search_documents.doc_id)
                """).run()
        }
    }
}
