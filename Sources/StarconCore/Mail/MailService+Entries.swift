import Foundation
import SQLKit
import StarconIMAP
import StarconMIME

extension MailService {
    // MARK: Reading

    /// Entries of a mailbox by uid, ascending; nil `uids` means all of them.
    public func entries(mailboxID: Int64, uids: MailUIDSet? = nil, of account: Account) async throws -> [MailEntry] {
        try await database.read { db in
            _ = try await owner(account, db: db)
            _ = try await Self.mailbox(id: mailboxID, accountID: account.id, db: db)
            return try await Self.entries(mailboxID: mailboxID, uids: uids, db: db)
        }
    }

    static func entries(mailboxID: Int64, uids: MailUIDSet?, extra: SQLQueryString = "", db: any SQLDatabase) async throws -> [MailEntry] {
        let condition: SQLQueryString = uids.map { "AND \($0.sqlCondition())" } ?? ""
        return try await db.raw("""
            SELECT \(unsafeRaw: MailEntryRow.columns) FROM \(unsafeRaw: MailEntryRow.from)
            WHERE e.mailbox_id = \(bind: mailboxID) \(condition) \(extra) ORDER BY e.uid
            """).all().map(MailEntryRow.decode)
    }

    /// The messages' bytes by uid (uids not in the mailbox are left out).
    public func raw(mailboxID: Int64, uids: MailUIDSet, of account: Account) async throws -> [Int64: [UInt8]] {
        try await bytes(mailboxID: mailboxID, uids: uids, column: "r.raw", join: "JOIN mail_message_bytes r ON r.message_id = m.id", of: account)
    }

    /// The messages' headers (up to and including the blank line) by uid.
    public func headers(mailboxID: Int64, uids: MailUIDSet, of account: Account) async throws -> [Int64: [UInt8]] {
        try await bytes(mailboxID: mailboxID, uids: uids, column: "m.header", of: account)
    }

    /// IMAP's ENVELOPE values as stored with the messages (`EnvelopeBuilder.encodedEnvelope`), by uid; messages
    /// stored before they were kept are left out.
    public func encodedEnvelopes(mailboxID: Int64, uids: MailUIDSet, of account: Account) async throws -> [Int64: [UInt8]] {
        try await bytes(mailboxID: mailboxID, uids: uids, column: "m.imap_envelope", of: account)
    }

    /// IMAP's BODYSTRUCTURE values as stored, by uid, as `encodedEnvelopes`.
    public func encodedBodyStructures(mailboxID: Int64, uids: MailUIDSet, of account: Account) async throws -> [Int64: [UInt8]] {
        try await bytes(mailboxID: mailboxID, uids: uids, column: "m.imap_body_structure", of: account)
    }

    private func bytes(mailboxID: Int64, uids: MailUIDSet, column: String, join: String = "", of account: Account) async throws -> [Int64: [UInt8]] {
        try await database.read { db in
            _ = try await owner(account, db: db)
            _ = try await Self.mailbox(id: mailboxID, accountID: account.id, db: db)
            var result: [Int64: [UInt8]] = [:]
            for row in try await db.raw("""
                SELECT e.uid, \(unsafeRaw: column) AS bytes FROM \(unsafeRaw: MailEntryRow.from) \(unsafeRaw: join)
                WHERE e.mailbox_id = \(bind: mailboxID) AND \(uids.sqlCondition())
                """).all() {
                guard let bytes = try row.decode(column: "bytes", as: Data?.self) else { continue }
                result[try row.decode(column: "uid", as: Int64.self)] = [UInt8](bytes)
            }
            return result
        }
    }

    /// A session selects the mailbox (not EXAMINE): the entries from the returned uid on are \Recent to it,
    /// and to no session after it (RFC 3501 §2.3.2).
    public func claimRecent(mailboxID: Int64, of account: Account) async throws -> Int64 {
        try await database.write { db in
            _ = try await owner(account, db: db)
            _ = try await Self.mailbox(id: mailboxID, accountID: account.id, db: db)
            let from = try await db.raw("SELECT recent_from FROM mailboxes WHERE id = \(bind: mailboxID)").first()!
                .decode(column: "recent_from", as: Int64.self)
            try await db.raw("UPDATE mailboxes SET recent_from = uid_next WHERE id = \(bind: mailboxID)").run()
            return from
        }
    }

    /// What changed after `modseq`: entries added or re-flagged, and uids expunged.
    public func changes(mailboxID: Int64, since modseq: Int64, of account: Account) async throws -> MailboxChanges {
        try await database.read { db in
            _ = try await owner(account, db: db)
            let mailbox = try await Self.mailbox(id: mailboxID, accountID: account.id, db: db)
            let changed = try await Self.entries(mailboxID: mailboxID, uids: nil, extra: "AND e.modseq > \(bind: modseq)", db: db)
            let expunged = try await db.raw("""
                SELECT uid FROM mail_expunged WHERE mailbox_id = \(bind: mailboxID) AND modseq > \(bind: modseq) ORDER BY uid
                """).all().map { try $0.decode(column: "uid", as: Int64.self) }
            return MailboxChanges(changed: changed, expunged: expunged, highestModseq: mailbox.highestModseq)
        }
    }

    // MARK: Adding

    /// Stores a message once (its summary read from its header); returns its id.
    func insertMessage(_ raw: [UInt8], receivedAt: Int64, db: any SQLDatabase) async throws -> Int64 {
        let header = MailHeader(raw)
        // Parsed once here for the summary, and for IMAP's ENVELOPE and BODYSTRUCTURE, which FETCH then sends as stored.
        let parsed = MIMEParser.parse(raw)
        let summary = header.summary(parsed: parsed)
        let id = ids.next()
        try await db.raw("""
            INSERT INTO mail_messages (id, header, size, header_size, received_at, from_text, to_text, cc_text, subject,
                message_id_header, in_reply_to, refs, sent_at, has_attachments, imap_envelope, imap_body_structure)
            VALUES (\(bind: id), \(bind: Data(raw.prefix(header.size))), \(bind: raw.count), \(bind: header.size), \(bind: receivedAt),
                \(bind: Self.column(summary.from)), \(bind: Self.column(summary.to)), \(bind: Self.column(summary.cc)),
                \(bind: Self.column(summary.subject)), \(bind: Self.column(summary.messageID)), \(bind: Self.column(summary.inReplyTo)),
                \(bind: Self.column(summary.references)), \(bind: summary.date), \(bind: summary.hasAttachments ? 1 : 0),
                \(bind: Data(EnvelopeBuilder.encodedEnvelope(parsed.header))), \(bind: Data(EnvelopeBuilder.encodedBodyStructure(parsed))))
            """).run()
        try await db.raw("INSERT INTO mail_message_bytes (message_id, raw) VALUES (\(bind: id), \(bind: Data(raw)))").run()
        // Findable in the same transaction that stores it.
        try await searchIndex.add(id: id, sender: summary.from, subject: summary.subject,
                                  body: MailSearchText.body(raw, headerSize: header.size), rowID: ids.next(), db: db)
        return id
    }

    /// Header texts as stored: at most 2,000 characters, no NUL (PostgreSQL refuses it in text).
    static func column(_ text: String) -> String {
        String(text.replacingOccurrences(of: "\u{0}", with: "").prefix(2_000))
    }

    /// Adds an entry for `messageID` at the mailbox's next uid; returns the uid.
    static func insertEntry(messageID: Int64, mailboxID: Int64, flags: MailFlags, keywords: [String], db: any SQLDatabase) async throws -> Int64 {
        let (uid, modseq) = try await advance(mailboxID: mailboxID, uids: 1, db: db)
        try await db.raw("""
            INSERT INTO mail_entries (mailbox_id, uid, message_id, seen, answered, flagged, deleted, draft, keywords, modseq)
            VALUES (\(bind: mailboxID), \(bind: uid), \(bind: messageID), \(bind: flags.contains(.seen) ? 1 : 0),
                \(bind: flags.contains(.answered) ? 1 : 0), \(bind: flags.contains(.flagged) ? 1 : 0), \(bind: flags.contains(.deleted) ? 1 : 0),
                \(bind: flags.contains(.draft) ? 1 : 0), \(bind: keywords.joined(separator: " ")), \(bind: modseq))
            """).run()
        return uid
    }

    /// APPEND: stores `raw` in the mailbox; returns its UIDVALIDITY and uid (UIDPLUS's APPENDUID).
    public func append(_ raw: [UInt8], to mailboxID: Int64, flags: MailFlags = [], keywords: [String] = [], internalDate: Int64? = nil,
                       of account: Account) async throws -> (uidValidity: Int64, uid: Int64) {
        guard !raw.isEmpty else { throw CoreError.invalid("mail_empty_message") }
        guard raw.count <= MailService.maxMessageBytes else { throw CoreError.invalid("mail_too_large") }
        let keywords = try MailRules.cleanKeywords(keywords)
        let received = internalDate ?? clock.nowMilliseconds()
        return try await log.write { db, outbox in
            _ = try await owner(account, db: db)
            let mailbox = try await Self.mailbox(id: mailboxID, accountID: account.id, db: db)
            let message = try await insertMessage(raw, receivedAt: received, db: db)
            let uid = try await Self.insertEntry(messageID: message, mailboxID: mailboxID, flags: flags, keywords: keywords, db: db)
            Self.changed(account.id, mailboxID, outbox)
            return (mailbox.uidValidity, uid)
        }
    }

    /// The largest message the store takes (SMTP's SIZE and IMAP's APPEND limit): 25 MiB.
    public static let maxMessageBytes = 25 * 1024 * 1024

    /// Delivers one message to each member's INBOX (and to `sentBy`'s Sent, unseen there as it is their
    /// own) in one transaction: when it returns, the message is stored for all of them. Members who may not
    /// use mail any more are left out. Returns the stored message's id.
    @discardableResult
    public func deliver(_ raw: [UInt8], to accountIDs: [Int64], sentBy: Int64? = nil) async throws -> Int64? {
        try await log.write { db, outbox in try await deliver(raw, to: accountIDs, sentBy: sentBy, db: db, outbox: outbox) }
    }

    /// `deliver` inside the caller's transaction (SMTP adds its outbound queue rows to the same one).
    func deliver(_ raw: [UInt8], to accountIDs: [Int64], sentBy: Int64?, db: any SQLDatabase, outbox: EventOutbox) async throws -> Int64? {
        let now = clock.nowMilliseconds()
        var targets: [(account: Int64, role: MailboxRole)] = []
        for id in Set(accountIDs).sorted() {
            guard let account = try await AccountService.find(id: id, db: db), AccountService.mayUseMail(account, now: now) else { continue }
            targets.append((id, .inbox))
        }
        if let sentBy { targets.append((sentBy, .sent)) }
        guard !targets.isEmpty else { return nil }
        let message = try await insertMessage(raw, receivedAt: now, db: db)
        for (account, role) in targets {
            var mailbox = try await Self.mailbox(role: role, accountID: account, db: db)
            if mailbox == nil {
                try await ensureStandardMailboxes(accountID: account, db: db)
                mailbox = try await Self.mailbox(role: role, accountID: account, db: db)
            }
            let flags: MailFlags = role == .sent ? [.seen] : []
            _ = try await Self.insertEntry(messageID: message, mailboxID: mailbox!.id, flags: flags, keywords: [], db: db)
            Self.changed(account, mailbox!.id, outbox)
        }
        return message
    }

    // MARK: Changing

    /// STORE: sets, adds or removes flags and keywords on the entries in `uids`. With `unchangedSince`
    /// (CONDSTORE) an entry changed after that modseq is left alone and its uid returned in `refused`.
    /// Returns the entries as they are after the change (only those that changed).
    public func store(mailboxID: Int64, uids: MailUIDSet, flags: MailFlags, keywords: [String] = [], _ change: FlagChange,
                      unchangedSince: Int64? = nil, of account: Account) async throws -> (changed: [MailEntry], refused: [Int64]) {
        let keywords = try MailRules.cleanKeywords(keywords)
        return try await log.write { db, outbox in
            _ = try await owner(account, db: db)
            _ = try await Self.mailbox(id: mailboxID, accountID: account.id, db: db)
            let current = try await Self.entries(mailboxID: mailboxID, uids: uids, db: db)
            var updates: [(uid: Int64, flags: MailFlags, keywords: [String])] = []
            var refused: [Int64] = []
            for entry in current {
                if let unchangedSince, entry.modseq > unchangedSince { refused.append(entry.uid); continue }
                var newFlags = entry.flags, newKeywords = entry.keywords
                switch change {
                case .replace:
                    newFlags = flags
                    newKeywords = keywords
                case .add:
                    newFlags.formUnion(flags)
                    let known = Set(newKeywords.map { $0.lowercased() })
                    newKeywords += keywords.filter { !known.contains($0.lowercased()) }
                case .remove:
                    newFlags.subtract(flags)
                    let removed = Set(keywords.map { $0.lowercased() })
                    newKeywords.removeAll { removed.contains($0.lowercased()) }
                }
                newKeywords.sort()
                guard newKeywords.count <= MailRules.maxKeywordsPerMessage else { throw CoreError.invalid("mail_too_many_keywords", field: "keywords") }
                if newFlags != entry.flags || newKeywords != entry.keywords { updates.append((entry.uid, newFlags, newKeywords)) }
            }
            guard !updates.isEmpty else { return ([], refused) }
            let (_, modseq) = try await Self.advance(mailboxID: mailboxID, uids: 0, db: db)
            for update in updates {
                let f = update.flags
                try await db.raw("""
                    UPDATE mail_entries SET seen = \(bind: f.contains(.seen) ? 1 : 0), answered = \(bind: f.contains(.answered) ? 1 : 0),
                        flagged = \(bind: f.contains(.flagged) ? 1 : 0), deleted = \(bind: f.contains(.deleted) ? 1 : 0),
                        draft = \(bind: f.contains(.draft) ? 1 : 0), keywords = \(bind: update.keywords.joined(separator: " ")), modseq = \(bind: modseq)
                    WHERE mailbox_id = \(bind: mailboxID) AND uid = \(bind: update.uid)
                    """).run()
            }
            Self.changed(account.id, mailboxID, outbox)
            let changedUIDs = Set(updates.map(\.uid))
            let after = try await Self.entries(mailboxID: mailboxID, uids: uids, extra: "AND e.modseq = \(bind: modseq)", db: db)
            return (after.filter { changedUIDs.contains($0.uid) }, refused)
        }
    }

    /// COPY: the entries in `uids` are added to `destination` (same message bytes, same flags, new uids).
    public func copy(mailboxID: Int64, uids: MailUIDSet, to destination: Int64, of account: Account) async throws -> CopyResult {
        try await log.write { db, outbox in
            _ = try await owner(account, db: db)
            _ = try await Self.mailbox(id: mailboxID, accountID: account.id, db: db)
            let target = try await Self.mailbox(id: destination, accountID: account.id, db: db)
            let result = try await copyEntries(from: mailboxID, uids: uids, to: target, db: db)
            if !result.sourceUIDs.isEmpty { Self.changed(account.id, destination, outbox) }
            return result
        }
    }

    /// MOVE (RFC 6851): copies, then expunges the originals, in one transaction.
    public func move(mailboxID: Int64, uids: MailUIDSet, to destination: Int64, of account: Account) async throws -> CopyResult {
        try await log.write { db, outbox in
            _ = try await owner(account, db: db)
            let source = try await Self.mailbox(id: mailboxID, accountID: account.id, db: db)
            let target = try await Self.mailbox(id: destination, accountID: account.id, db: db)
            guard source.id != target.id else { throw CoreError.invalid("mail_move_same_mailbox") }
            let result = try await moveEntries(from: source, uids: uids, to: target, db: db)
            if !result.sourceUIDs.isEmpty {
                Self.changed(account.id, mailboxID, outbox)
                Self.changed(account.id, destination, outbox)
            }
            return result
        }
    }

    func copyEntries(from mailboxID: Int64, uids: MailUIDSet, to target: Mailbox, db: any SQLDatabase) async throws -> CopyResult {
        let entries = try await Self.entries(mailboxID: mailboxID, uids: uids, db: db)
        guard !entries.isEmpty else { return CopyResult(uidValidity: target.uidValidity, sourceUIDs: [], destinationUIDs: []) }
        let (first, modseq) = try await Self.advance(mailboxID: target.id, uids: Int64(entries.count), db: db)
        var destination: [Int64] = []
        for (offset, entry) in entries.enumerated() {
            let uid = first + Int64(offset)
            let f = entry.flags
            try await db.raw("""
                INSERT INTO mail_entries (mailbox_id, uid, message_id, seen, answered, flagged, deleted, draft, keywords, modseq)
                VALUES (\(bind: target.id), \(bind: uid), \(bind: entry.messageID), \(bind: f.contains(.seen) ? 1 : 0),
                    \(bind: f.contains(.answered) ? 1 : 0), \(bind: f.contains(.flagged) ? 1 : 0), \(bind: f.contains(.deleted) ? 1 : 0),
                    \(bind: f.contains(.draft) ? 1 : 0), \(bind: entry.keywords.joined(separator: " ")), \(bind: modseq))
                """).run()
            destination.append(uid)
        }
        return CopyResult(uidValidity: target.uidValidity, sourceUIDs: entries.map(\.uid), destinationUIDs: destination)
    }

    func moveEntries(from source: Mailbox, uids: MailUIDSet, to target: Mailbox, db: any SQLDatabase) async throws -> CopyResult {
        let result = try await copyEntries(from: source.id, uids: uids, to: target, db: db)
        if !result.sourceUIDs.isEmpty { try await removeEntries(mailboxID: source.id, uids: result.sourceUIDs, db: db) }
        return result
    }

    /// EXPUNGE: removes the \Deleted entries (only those in `uids` when given, as UID EXPUNGE); returns
    /// their uids, ascending. Message bytes no mailbox holds any more are deleted.
    @discardableResult
    public func expunge(mailboxID: Int64, uids: MailUIDSet? = nil, of account: Account) async throws -> [Int64] {
        try await log.write { db, outbox in
            _ = try await owner(account, db: db)
            _ = try await Self.mailbox(id: mailboxID, accountID: account.id, db: db)
            let condition: SQLQueryString = uids.map { "AND \($0.sqlCondition(column: "uid"))" } ?? ""
            let gone = try await db.raw("""
                SELECT uid FROM mail_entries WHERE mailbox_id = \(bind: mailboxID) AND deleted = 1 \(condition) ORDER BY uid
                """).all().map { try $0.decode(column: "uid", as: Int64.self) }
            guard !gone.isEmpty else { return [] }
            try await removeEntries(mailboxID: mailboxID, uids: gone, db: db)
            Self.changed(account.id, mailboxID, outbox)
            return gone
        }
    }

    /// Removes entries, records them as expunged at a new modseq and deletes messages left unreferenced.
    func removeEntries(mailboxID: Int64, uids: [Int64], db: any SQLDatabase) async throws {
        let (_, modseq) = try await Self.advance(mailboxID: mailboxID, uids: 0, db: db)
        var messages: [Int64] = []
        for start in stride(from: 0, to: uids.count, by: 500) {
            let chunk = SQLList(uids[start..<min(start + 500, uids.count)].map { SQLBind($0) })
            messages += try await db.raw("""
                DELETE FROM mail_entries WHERE mailbox_id = \(bind: mailboxID) AND uid IN (\(chunk)) RETURNING message_id
                """).all().map { try $0.decode(column: "message_id", as: Int64.self) }
            for uid in uids[start..<min(start + 500, uids.count)] {
                try await db.raw("""
                    INSERT INTO mail_expunged (mailbox_id, uid, modseq) VALUES (\(bind: mailboxID), \(bind: uid), \(bind: modseq))
                    ON CONFLICT (mailbox_id, uid) DO UPDATE SET modseq = excluded.modseq
                    """).run()
            }
        }
        try await Self.deleteUnreferenced(messages, db: db)
    }
}
