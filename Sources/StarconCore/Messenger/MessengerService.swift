import NIOConcurrencyHelpers
import SQLKit

/// The messenger: 1:1 and group conversations, messages, read state, and every rule about who may see and
/// do what. A member outside a conversation gets `notFound` for anything about it, so they learn nothing.
///
/// Ordering: every change is written with its event in one transaction (`EventLog.write`); a new message
/// takes its event's place in the log as its `seq`, which is commit order over every node. Sends to different
/// conversations run side by side; a client resumes with "everything after the last message I saw" by seq.
public struct MessengerService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    let log: EventLog
    /// Picture files, removed after a deleted message's pictures are.
    let mediaFiles: MediaFiles

    init(database: any Database, ids: IDGenerator, clock: Clock, log: EventLog, mediaFiles: MediaFiles) {
        self.mediaFiles = mediaFiles
        self.database = database
        self.ids = ids
        self.clock = clock
        self.log = log
    }

    let typingGate = TypingGate()

    // MARK: Conversations

    /// Starts a conversation with the named members. With exactly one other member (and `group` false) it is
    /// the pair's 1:1 conversation, the same one every time; otherwise a new group with `title`, whose
    /// creator is its admin.
    public func start(creator: Account, usernames: [String], title: String = "", group: Bool = false) async throws -> ConversationView {
        try AccountService.ensureMayAct(creator, now: clock.nowMilliseconds())
        let title = try Self.cleanTitle(title)
        var unique: [String] = []
        for name in usernames.map({ $0.trimmingWhitespace() }).filter({ !$0.isEmpty }) {
            let bare = name.hasPrefix("@") ? String(name.dropFirst()) : name
            if !unique.contains(where: { $0.lowercased() == bare.lowercased() }) { unique.append(bare) }
        }
        let names = unique
        guard !names.isEmpty else { throw CoreError.invalid("msg_no_members", field: "members") }
        guard names.count < MessengerRules.maxGroupMembers else { throw CoreError.invalid("msg_group_full", field: "members") }
        let now = clock.nowMilliseconds()
        let conversationID: Int64 = try await log.write { db, outbox in
            var others: [Account] = []
            for name in names {
                guard let account = try await AccountService.find(username: name, db: db), account.status == .active, !account.emailOnly else {
                    throw CoreError.invalid("msg_unknown_member", field: "members")
                }
                if account.id != creator.id { others.append(account) }
            }
            guard !others.isEmpty else { throw CoreError.invalid("msg_no_members", field: "members") }
            for other in others {
                guard try await RelationshipService.view(of: other, viewer: creator, now: now, db: db).permissions.message else {
                    throw CoreError(.forbidden, "msg_blocked")
                }
            }
            if others.count == 1 && !group {
                let other = others[0]
                let key = "\(min(creator.id, other.id)):\(max(creator.id, other.id))"
                let id = ids.next()
                try await db.raw("""
                    INSERT INTO conversations (id, kind, title, direct_key, created_by, created_at, last_activity_at)
                    VALUES (\(bind: id), 'direct', '', \(bind: key), \(bind: creator.id), \(bind: now), \(bind: now))
                    ON CONFLICT DO NOTHING
                    """).run()
                let existing = try await db.raw("SELECT id FROM conversations WHERE direct_key = \(bind: key)").first()!
                    .decode(column: "id", as: Int64.self)
                for account in [creator.id, other.id] {
                    try await Self.insertMember(existing, account, role: .member, now: now, db: db)
                }
                outbox.add(Event(to: [creator.id, other.id], .conversation(conversationID: existing, removed: [])))
                return existing
            }
            let id = ids.next()
            try await db.raw("""
                INSERT INTO conversations (id, kind, title, created_by, created_at, last_activity_at)
                VALUES (\(bind: id), 'group', \(bind: title), \(bind: creator.id), \(bind: now), \(bind: now))
                """).run()
            try await Self.insertMember(id, creator.id, role: .admin, now: now, db: db)
            for other in others { try await Self.insertMember(id, other.id, role: .member, now: now, db: db) }
            outbox.add(Event(to: [creator.id] + others.map(\.id), .conversation(conversationID: id, removed: [])))
            return id
        }
        return try await conversation(id: conversationID, viewer: creator)
    }

    /// The viewer's conversations, most recent activity first.
    public func conversations(viewer: Account, limit: Int = 100) async throws -> [ConversationView] {
        try await database.read { db in
            let rows = try await db.raw("""
                SELECT \(unsafeRaw: ConversationRow.columns) FROM conversations c
                JOIN conversation_members cm ON cm.conversation_id = c.id AND cm.account_id = \(bind: viewer.id)
                ORDER BY c.last_activity_at DESC, c.id DESC LIMIT \(bind: max(1, min(limit, 500)))
                """).all().map(ConversationRow.decode)
            return try await Self.views(rows, viewer: viewer, now: clock.nowMilliseconds(), db: db)
        }
    }

    /// One conversation as the viewer sees it; `notFound` unless the viewer is a member.
    public func conversation(id: Int64, viewer: Account) async throws -> ConversationView {
        try await database.read { db in
            guard let row = try await db.raw("""
                SELECT \(unsafeRaw: ConversationRow.columns) FROM conversations c
                JOIN conversation_members cm ON cm.conversation_id = c.id AND cm.account_id = \(bind: viewer.id)
                WHERE c.id = \(bind: id)
                """).first() else { throw CoreError.notFound }
            return try await Self.views([try ConversationRow.decode(row)], viewer: viewer, now: clock.nowMilliseconds(), db: db)[0]
        }
    }

    /// Unread messages over every conversation the member has not muted (for the page header).
    public func unreadTotal(for account: Account) async throws -> Int {
        try await database.read { db in
            try await db.raw("""
                SELECT COUNT(m.id) AS n FROM conversation_members cm
                JOIN messages m ON m.conversation_id = cm.conversation_id AND m.id > cm.last_read_id AND m.sender_id <> cm.account_id
                WHERE cm.account_id = \(bind: account.id) AND cm.muted = 0
                """).first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    public func setTitle(actor: Account, conversationID: Int64, title: String) async throws -> ConversationView {
        try AccountService.ensureMayAct(actor, now: clock.nowMilliseconds())
        let title = try Self.cleanTitle(title)
        try await log.write { db, outbox in
            guard try await Self.permissions(conversationID, actor, now: clock.nowMilliseconds(), db: db).permissions.rename else {
                throw CoreError(.forbidden, "msg_not_admin")
            }
            try await db.raw("UPDATE conversations SET title = \(bind: title) WHERE id = \(bind: conversationID)").run()
            outbox.add(Event(to: try await Self.memberIDs(conversationID, db: db), .conversation(conversationID: conversationID, removed: [])))
        }
        return try await conversation(id: conversationID, viewer: actor)
    }

    /// Adds members to a group (its admins only).
    public func addMembers(actor: Account, conversationID: Int64, usernames: [String]) async throws -> ConversationView {
        try AccountService.ensureMayAct(actor, now: clock.nowMilliseconds())
        let now = clock.nowMilliseconds()
        try await log.write { db, outbox in
            guard try await Self.permissions(conversationID, actor, now: now, db: db).permissions.addMembers else {
                throw CoreError(.forbidden, "msg_not_admin")
            }
            var members = Set(try await Self.memberIDs(conversationID, db: db))
            let names = usernames.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
            guard !names.isEmpty else { throw CoreError.invalid("msg_no_members", field: "members") }
            for name in names {
                let bare = name.hasPrefix("@") ? String(name.dropFirst()) : name
                guard let account = try await AccountService.find(username: bare, db: db), account.status == .active, !account.emailOnly else {
                    throw CoreError.invalid("msg_unknown_member", field: "members")
                }
                guard !members.contains(account.id) else { throw CoreError(.conflict, "msg_already_member") }
                guard try await !Self.blockedEitherWay(actor.id, account.id, db: db) else { throw CoreError(.forbidden, "msg_blocked") }
                guard members.count < MessengerRules.maxGroupMembers else { throw CoreError.invalid("msg_group_full", field: "members") }
                try await Self.insertMember(conversationID, account.id, role: .member, now: now, db: db)
                members.insert(account.id)
            }
            outbox.add(Event(to: members, .conversation(conversationID: conversationID, removed: [])))
        }
        return try await conversation(id: conversationID, viewer: actor)
    }

    /// Removes a member from a group (its admins only). Removing oneself is leaving, and returns nil.
    public func removeMember(actor: Account, conversationID: Int64, accountID: Int64) async throws -> ConversationView? {
        try AccountService.ensureMayAct(actor, now: clock.nowMilliseconds())
        guard accountID != actor.id else { return try await leave(actor: actor, conversationID: conversationID) }
        try await log.write { db, outbox in
            guard try await Self.permissions(conversationID, actor, now: clock.nowMilliseconds(), db: db).permissions.removeMembers else {
                throw CoreError(.forbidden, "msg_not_admin")
            }
            let members = try await Self.memberIDs(conversationID, db: db)
            guard members.contains(accountID) else { throw CoreError(.notFound, "msg_not_member") }
            try await db.raw("DELETE FROM conversation_members WHERE conversation_id = \(bind: conversationID) AND account_id = \(bind: accountID)").run()
            outbox.add(Event(to: members, .conversation(conversationID: conversationID, removed: [accountID])))
        }
        return try await conversation(id: conversationID, viewer: actor)
    }

    /// Leaves a conversation. A group whose last admin leaves gets its longest-standing member as admin; an
    /// empty conversation is deleted with its messages. A 1:1 conversation comes back when either member
    /// starts it again or the other sends a message.
    @discardableResult
    public func leave(actor: Account, conversationID: Int64) async throws -> ConversationView? {
        let gone: [String] = try await log.write { db, outbox in
            let (kind, _) = try await Self.membership(conversationID, actor.id, db: db)
            let members = try await Self.memberIDs(conversationID, db: db)
            var pictures: [String] = []
            try await db.raw("DELETE FROM conversation_members WHERE conversation_id = \(bind: conversationID) AND account_id = \(bind: actor.id)").run()
            if members.count == 1 {
                pictures = try await db.raw("""
                    DELETE FROM media WHERE message_id IN (SELECT id FROM messages WHERE conversation_id = \(bind: conversationID)) RETURNING digest
                    """).all().map { try $0.decode(column: "digest", as: String.self) }
                try await db.raw("DELETE FROM conversations WHERE id = \(bind: conversationID)").run()
            } else if kind == .group {
                let admins = try await db.raw("""
                    SELECT COUNT(*) AS n FROM conversation_members WHERE conversation_id = \(bind: conversationID) AND role = 'admin'
                    """).first()!.decode(column: "n", as: Int.self)
                if admins == 0, let next = try await db.raw("""
                    SELECT account_id FROM conversation_members WHERE conversation_id = \(bind: conversationID)
                    ORDER BY joined_at, account_id LIMIT 1
                    """).first()?.decode(column: "account_id", as: Int64.self) {
                    try await db.raw("""
                        UPDATE conversation_members SET role = 'admin' WHERE conversation_id = \(bind: conversationID) AND account_id = \(bind: next)
                        """).run()
                }
            }
            outbox.add(Event(to: members, .conversation(conversationID: conversationID, removed: [actor.id])))
            return pictures
        }
        await mediaFiles.release(gone)
        return nil
    }

    public func setMuted(actor: Account, conversationID: Int64, muted: Bool) async throws -> ConversationView {
        try await database.write { db in
            _ = try await Self.membership(conversationID, actor.id, db: db)
            try await db.raw("""
                UPDATE conversation_members SET muted = \(bind: muted ? 1 : 0)
                WHERE conversation_id = \(bind: conversationID) AND account_id = \(bind: actor.id)
                """).run()
        }
        return try await conversation(id: conversationID, viewer: actor)
    }

    // MARK: Messages

    /// Stores a message and returns it once it is committed. A retry with the same `clientKey` (same sender
    /// and conversation) returns the message stored the first time, with `created` false, and stores nothing.
    /// `mediaIDs` are the sender's own unattached uploads (`MediaService.upload`), attached in the same
    /// transaction as the message; with pictures the text may be empty.
    public func send(sender: Account, conversationID: Int64, text: String, replyTo: Int64? = nil, clientKey: String? = nil,
                     mediaIDs: [Int64] = []) async throws -> (message: Message, created: Bool) {
        try AccountService.ensureMayAct(sender, now: clock.nowMilliseconds())
        var unique: [Int64] = []
        for id in mediaIDs where !unique.contains(id) { unique.append(id) }
        let mediaIDs = unique
        guard mediaIDs.count <= MessengerRules.maxAttachments else { throw CoreError.invalid("media_count", field: "media_ids") }
        let text = try Self.cleanText(text, allowEmpty: !mediaIDs.isEmpty)
        let key = clientKey?.trimmingWhitespace()
        if let key, key.count > MessengerRules.maxClientKeyLength { throw CoreError.invalid("msg_client_key", field: "client_key") }
        let clientKey = key?.isEmpty == false ? key : nil
        do {
            let outbox = EventOutbox()
            let (message, created, event) = try await log.write(outbox: outbox) { db, outbox -> (Message, Bool, Int?) in
                let (kind, permissions) = try await Self.permissions(conversationID, sender, now: clock.nowMilliseconds(), db: db)
                if let clientKey, let existing = try await Self.message(sender: sender.id, conversationID: conversationID, clientKey: clientKey, db: db) {
                    return (existing, false, nil)
                }
                let members = try await Self.memberIDs(conversationID, db: db)
                if kind == .direct {
                    // The pair is in the conversation's key, so a member who left comes back with the message.
                    let pair = try await db.raw("SELECT direct_key FROM conversations WHERE id = \(bind: conversationID)").first()!
                        .decode(column: "direct_key", as: String.self).split(separator: ":").compactMap { Int64($0) }
                    guard let other = pair.first(where: { $0 != sender.id }) else { throw CoreError.notFound }
                    guard permissions.send else { throw CoreError(.forbidden, "msg_blocked") }
                    if !members.contains(other), let account = try await AccountService.find(id: other, db: db), account.status == .active {
                        try await Self.insertMember(conversationID, other, role: .member, now: clock.nowMilliseconds(), db: db)
                    }
                }
                if let replyTo {
                    guard try await db.raw("""
                        SELECT 1 AS x FROM messages WHERE id = \(bind: replyTo) AND conversation_id = \(bind: conversationID)
                        """).first() != nil else { throw CoreError.invalid("msg_reply_target", field: "reply_to_id") }
                }
                let id = ids.next()
                let now = clock.nowMilliseconds()
                // A retry with the same key running at the same moment (another node, another connection): the
                // unique index makes one of them wait for the other, and the loser returns the winner's message.
                guard try await db.raw("""
                    INSERT INTO messages (id, conversation_id, sender_id, text, text_folded, reply_to_id, client_key, created_at)
                    VALUES (\(bind: id), \(bind: conversationID), \(bind: sender.id), \(bind: text), \(bind: Self.fold(text)),
                            \(bind: replyTo), \(bind: clientKey), \(bind: now))
                    ON CONFLICT DO NOTHING RETURNING id
                    """).first() != nil else { throw SameClientKey() }
                // What one sends, one has read.
                try await db.raw("""
                    UPDATE conversation_members SET last_read_id = \(bind: id)
                    WHERE conversation_id = \(bind: conversationID) AND account_id = \(bind: sender.id) AND last_read_id < \(bind: id)
                    """).run()
                for (position, mediaID) in mediaIDs.enumerated() {
                    // Only one's own picture, and only once: one already on a status or a message is refused.
                    let attached = try await db.raw("""
                        UPDATE media SET message_id = \(bind: id), position = \(bind: position)
                        WHERE id = \(bind: mediaID) AND account_id = \(bind: sender.id) AND status_id IS NULL AND message_id IS NULL
                        RETURNING id
                        """).first() != nil
                    guard attached else { throw CoreError.invalid("media_unknown", field: "media_ids") }
                }
                var message = Message(id: id, conversationID: conversationID, sender: sender, text: text, replyToID: replyTo,
                                      clientKey: clientKey, createdAt: now, editedAt: nil)
                if !mediaIDs.isEmpty { message = try await Self.withAttachments([message], db: db)[0] }
                // The conversation's row last, just before the log's clock, so a busy group's sends hold its lock
                // only for the append and the COMMIT. Never backwards: a send that took its id earlier may
                // commit after this one.
                try await db.raw("""
                    UPDATE conversations SET last_activity_at = \(bind: now),
                        last_message_id = CASE WHEN last_message_id IS NULL OR last_message_id < \(bind: id) THEN \(bind: id) ELSE last_message_id END
                    WHERE id = \(bind: conversationID)
                    """).run()
                // To the members as they are when it is delivered (the other of a pair is back in by then).
                let event = outbox.add(Event(audience: .conversation(conversationID), payload: .message(message)), stamping: .messages, id: id)
                return (message, true, event)
            }
            var stored = message
            if let event { stored.seq = outbox.seq(of: event) }
            return (stored, created)
        } catch is SameClientKey {
            guard let clientKey, let existing = try await database.read({ db in
                try await Self.message(sender: sender.id, conversationID: conversationID, clientKey: clientKey, db: db)
            }) else { throw CoreError.notFound }
            return (existing, false)
        }
    }

    /// Two sends with one client key met: the one that did not store its message returns the other's.
    private struct SameClientKey: Error {}

    static func message(sender: Int64, conversationID: Int64, clientKey: String, db: any SQLDatabase) async throws -> Message? {
        guard let row = try await db.raw("""
            SELECT \(unsafeRaw: MessageRow.columns) FROM \(unsafeRaw: MessageRow.from)
            WHERE m.sender_id = \(bind: sender) AND m.conversation_id = \(bind: conversationID) AND m.client_key = \(bind: clientKey)
            """).first() else { return nil }
        return try await withAttachments([try MessageRow.decode(row)], db: db)[0]
    }

    /// Replaces the text of one's own message.
    public func edit(actor: Account, messageID: Int64, text: String) async throws -> Message {
        try AccountService.ensureMayAct(actor, now: clock.nowMilliseconds())
        let text = try Self.cleanText(text, allowEmpty: true)
        let now = clock.nowMilliseconds()
        return try await log.write { db, outbox in
            var message = try await Self.loadVisible(messageID, viewer: actor.id, db: db)
            guard Permissions.message(message, viewerID: actor.id, mayAct: AccountService.mayAct(actor, now: now)).edit else {
                throw CoreError(.forbidden, "msg_not_sender")
            }
            if text.isEmpty && message.attachments.isEmpty { throw CoreError.invalid("msg_empty", field: "text") }
            guard message.text != text else { return message }
            try await db.raw("""
                UPDATE messages SET text = \(bind: text), text_folded = \(bind: Self.fold(text)), edited_at = \(bind: now) WHERE id = \(bind: messageID)
                """).run()
            message.text = text
            message.editedAt = now
            outbox.add(Event(audience: .conversation(message.conversationID), payload: .messageEdited(message)))
            return message
        }
    }

    /// Deletes one's own message.
    @discardableResult
    public func delete(actor: Account, messageID: Int64) async throws -> Message {
        let (message, pictures) = try await log.write { db, outbox -> (Message, [String]) in
            let message = try await Self.loadVisible(messageID, viewer: actor.id, db: db)
            guard Permissions.message(message, viewerID: actor.id, mayAct: AccountService.mayAct(actor, now: clock.nowMilliseconds())).delete else {
                throw CoreError(.forbidden, "msg_not_sender")
            }
            return (message, try await Self.remove(message, db: db, outbox: outbox))
        }
        await mediaFiles.release(pictures)
        return message
    }

    /// Deletes a reported message for a moderator's decision (`ReportService`, which checked the rule);
    /// nothing when it is gone already.
    func removeReported(messageID: Int64) async throws {
        let pictures = try await log.write { db, outbox -> [String] in
            guard let row = try await db.raw("SELECT \(unsafeRaw: MessageRow.columns) FROM \(unsafeRaw: MessageRow.from) WHERE m.id = \(bind: messageID)")
                .first() else { return [] }
            return try await Self.remove(try MessageRow.decode(row), db: db, outbox: outbox)
        }
        await mediaFiles.release(pictures)
    }

    /// Removes a message and tells its conversation; hands back its pictures' digests to release after commit.
    private static func remove(_ message: Message, db: any SQLDatabase, outbox: EventOutbox) async throws -> [String] {
        let messageID = message.id
        try await db.raw("UPDATE messages SET reply_to_id = NULL WHERE reply_to_id = \(bind: messageID)").run()
        let pictures = try await db.raw("DELETE FROM media WHERE message_id = \(bind: messageID) RETURNING digest").all()
            .map { try $0.decode(column: "digest", as: String.self) }
        try await db.raw("DELETE FROM messages WHERE id = \(bind: messageID)").run()
        try await db.raw("""
            UPDATE conversations SET last_message_id = (SELECT MAX(id) FROM messages WHERE conversation_id = \(bind: message.conversationID))
            WHERE id = \(bind: message.conversationID)
            """).run()
        outbox.add(Event(audience: .conversation(message.conversationID),
                         payload: .messageDeleted(conversationID: message.conversationID, messageID: messageID)))
        return pictures
    }

    /// Throws `notFound` unless `account` is a member of the conversation.
    public func ensureMember(_ account: Account, conversationID: Int64) async throws {
        _ = try await database.read { db in try await Self.membership(conversationID, account.id, db: db) }
    }

    public func message(id: Int64, viewer: Account) async throws -> Message {
        try await database.read { db in try await Self.loadVisible(id, viewer: viewer.id, db: db) }
    }

    /// The messages with these ids in one conversation the viewer is in (what replies on a page answer);
    /// ids of other conversations or of deleted messages are left out.
    public func messages(viewer: Account, conversationID: Int64, ids: [Int64]) async throws -> [Message] {
        let ids = Array(Set(ids).prefix(MessengerRules.maxPageSize))
        guard !ids.isEmpty else { return [] }
        return try await database.read { db in
            _ = try await Self.membership(conversationID, viewer.id, db: db)
            return try await Self.withAttachments(try await db.raw("""
                SELECT \(unsafeRaw: MessageRow.columns) FROM \(unsafeRaw: MessageRow.from)
                WHERE m.conversation_id = \(bind: conversationID) AND m.id IN (\(SQLList(ids.map { SQLBind($0) })))
                """).all().map(MessageRow.decode), db: db)
        }
    }

    /// History, newest first: the `limit` messages before `before` (or the newest), or, with `after`, the
    /// `limit` messages just after it (still newest first).
    public func messages(viewer: Account, conversationID: Int64, before: Int64? = nil, after: Int64? = nil, limit: Int = MessengerRules.defaultPageSize) async throws -> MessagePage {
        let limit = max(1, min(limit, MessengerRules.maxPageSize))
        return try await database.read { db in
            _ = try await Self.membership(conversationID, viewer.id, db: db)
            var rows: [Message]
            if let after, before == nil {
                rows = try await Self.withAttachments(try await db.raw("""
                    SELECT \(unsafeRaw: MessageRow.columns) FROM \(unsafeRaw: MessageRow.from)
                    WHERE m.conversation_id = \(bind: conversationID) AND m.id > \(bind: after) ORDER BY m.id LIMIT \(bind: limit + 1)
                    """).all().map(MessageRow.decode), db: db)
                if rows.count > limit { rows.removeLast() }
                rows.reverse()
                let older = try await db.raw("""
                    SELECT 1 AS x FROM messages WHERE conversation_id = \(bind: conversationID) AND id <= \(bind: after) LIMIT 1
                    """).first() != nil
                return MessagePage(messages: rows, hasOlder: older)
            }
            let upper = before ?? Int64.max
            let lower = after ?? 0
            rows = try await Self.withAttachments(try await db.raw("""
                SELECT \(unsafeRaw: MessageRow.columns) FROM \(unsafeRaw: MessageRow.from)
                WHERE m.conversation_id = \(bind: conversationID) AND m.id < \(bind: upper) AND m.id > \(bind: lower)
                ORDER BY m.id DESC LIMIT \(bind: limit + 1)
                """).all().map(MessageRow.decode), db: db)
            let hasOlder = rows.count > limit
            if hasOlder { rows.removeLast() }
            return MessagePage(messages: rows, hasOlder: hasOlder)
        }
    }

    /// Messages of one conversation whose text contains `query` (case-insensitive), newest first.
    public func search(viewer: Account, conversationID: Int64, query: String, before: Int64? = nil, limit: Int = MessengerRules.defaultPageSize) async throws -> [Message] {
        let query = AccountRules.stripControls(query).trimmingWhitespace()
        guard !query.isEmpty else { return [] }
        guard query.count <= MessengerRules.maxSearchCharacters else { throw CoreError.invalid("msg_search_long", field: "q") }
        let pattern = "%" + Self.escapeLike(Self.fold(query)) + "%"
        let limit = max(1, min(limit, MessengerRules.maxPageSize))
        return try await database.read { db in
            _ = try await Self.membership(conversationID, viewer.id, db: db)
            return try await Self.withAttachments(try await db.raw("""
                SELECT \(unsafeRaw: MessageRow.columns) FROM \(unsafeRaw: MessageRow.from)
                WHERE m.conversation_id = \(bind: conversationID) AND m.id < \(bind: before ?? Int64.max)
                  AND m.text_folded LIKE \(bind: pattern) ESCAPE '\\'
                ORDER BY m.id DESC LIMIT \(bind: limit)
                """).all().map(MessageRow.decode), db: db)
        }
    }

    /// Messages placed after `seq` in the log, in every conversation the member is in, in log (commit) order:
    /// what a reconnecting client missed. Call repeatedly with the last seq returned until it returns fewer
    /// than `limit`.
    public func backlog(for accountID: Int64, afterSeq seq: Int64, limit: Int = 500) async throws -> [Message] {
        try await database.read { db in
            try await Self.withAttachments(try await db.raw("""
                SELECT \(unsafeRaw: MessageRow.columns) FROM \(unsafeRaw: MessageRow.from)
                JOIN conversation_members cm ON cm.conversation_id = m.conversation_id AND cm.account_id = \(bind: accountID)
                WHERE m.seq > \(bind: seq) ORDER BY m.seq LIMIT \(bind: limit)
                """).all().map(MessageRow.decode), db: db)
        }
    }

    /// Where a client that says the last message it has is `messageID` resumes in the log: that message's
    /// seq. When that message is gone (deleted), the place of the newest message taken at least
    /// `resumeMargin` earlier (ids carry the time they were taken, and no send lasts that long), so a resume
    /// may repeat a few messages but never skips one.
    public func resumePoint(forMessage messageID: Int64) async throws -> Int64 {
        guard messageID > 0 else { return 0 }
        return try await database.read { db in
            if let seq = try await db.raw("SELECT seq FROM messages WHERE id = \(bind: messageID)").first()?.decode(column: "seq", as: Int64?.self) ?? nil {
                return seq
            }
            let earlier = messageID - (Self.resumeMargin << 22)
            return try await db.raw("SELECT MAX(seq) AS n FROM messages WHERE id <= \(bind: earlier)").first()?
                .decode(column: "n", as: Int64?.self) ?? 0
        }
    }

    /// Milliseconds: longer than any send transaction lasts (a PostgreSQL lease times out after 10 s).
    static let resumeMargin: Int64 = 60_000

    /// Messages by id with their senders and pictures, for the event log's delivery (no viewer: the events'
    /// audience was decided when they were written).
    static func load(ids: [Int64], db: any SQLDatabase) async throws -> [Message] {
        guard !ids.isEmpty else { return [] }
        return try await withAttachments(try await db.raw("""
            SELECT \(unsafeRaw: MessageRow.columns) FROM \(unsafeRaw: MessageRow.from) WHERE m.id IN (\(SQLList(Set(ids).map { SQLBind($0) })))
            """).all().map(MessageRow.decode), db: db)
    }

    // MARK: Read state and typing

    /// Moves the member's read mark forward to `upTo` (never back, never past the newest message).
    @discardableResult
    public func markRead(actor: Account, conversationID: Int64, upTo: Int64) async throws -> Int64 {
        try await log.write { db, outbox in
            _ = try await Self.membership(conversationID, actor.id, db: db)
            let newest = try await db.raw("""
                SELECT MAX(id) AS n FROM messages WHERE conversation_id = \(bind: conversationID) AND id <= \(bind: upTo)
                """).first()?.decode(column: "n", as: Int64?.self) ?? nil
            let current = try await db.raw("""
                SELECT last_read_id FROM conversation_members WHERE conversation_id = \(bind: conversationID) AND account_id = \(bind: actor.id)
                """).first()!.decode(column: "last_read_id", as: Int64.self)
            guard let newest, newest > current else { return current }
            try await db.raw("""
                UPDATE conversation_members SET last_read_id = \(bind: newest)
                WHERE conversation_id = \(bind: conversationID) AND account_id = \(bind: actor.id)
                """).run()
            outbox.add(Event(audience: .conversation(conversationID),
                             payload: .read(conversationID: conversationID, accountID: actor.id, upTo: newest)))
            return newest
        }
    }

    /// Tells the other members that `actor` is typing. Only the event is stored (the log is pruned); a member
    /// typing on and on is told once every `TypingGate.interval` per conversation, per node.
    public func typing(actor: Account, conversationID: Int64) async throws {
        try AccountService.ensureMayAct(actor, now: clock.nowMilliseconds())
        guard typingGate.admits(actor.id, conversationID, now: clock.nowMilliseconds()) else {
            try await ensureMember(actor, conversationID: conversationID)
            return
        }
        try await log.write { db, outbox in
            _ = try await Self.membership(conversationID, actor.id, db: db)
            let others = try await Self.memberIDs(conversationID, db: db).filter { $0 != actor.id }
            outbox.add(Event(to: others, .typing(conversationID: conversationID, account: actor)))
        }
    }

    // MARK: Rules

    static func cleanText(_ text: String, allowEmpty: Bool = false) throws -> String {
        let cleaned = AccountRules.stripControls(text, keepNewlines: true).trimmingWhitespace()
        guard !cleaned.isEmpty || allowEmpty else { throw CoreError.invalid("msg_empty", field: "text") }
        guard cleaned.count <= MessengerRules.maxTextCharacters else { throw CoreError.invalid("msg_long", field: "text") }
        return cleaned
    }

    static func cleanTitle(_ title: String) throws -> String {
        let cleaned = AccountRules.stripControls(title).trimmingWhitespace()
        guard cleaned.count <= MessengerRules.maxTitleCharacters else { throw CoreError.invalid("msg_title_long", field: "title") }
        return cleaned
    }

    /// Case folding for search, the same on both engines (SQLite's LOWER knows only ASCII).
    static func fold(_ text: String) -> String { text.lowercased() }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }

    // MARK: Store helpers

    static func blockedEitherWay(_ a: Int64, _ b: Int64, db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            SELECT 1 AS x FROM blocks WHERE (account_id = \(bind: a) AND target_id = \(bind: b)) OR (account_id = \(bind: b) AND target_id = \(bind: a))
            """).first() != nil
    }

    static func insertMember(_ conversationID: Int64, _ accountID: Int64, role: ConversationRole, now: Int64, db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO conversation_members (conversation_id, account_id, role, joined_at)
            VALUES (\(bind: conversationID), \(bind: accountID), \(bind: role.rawValue), \(bind: now)) ON CONFLICT DO NOTHING
            """).run()
    }

    /// The conversation's kind and the member's role in it; `notFound` when they are not a member.
    static func membership(_ conversationID: Int64, _ accountID: Int64, db: any SQLDatabase) async throws -> (ConversationKind, ConversationRole) {
        guard let row = try await db.raw("""
            SELECT c.kind, cm.role FROM conversations c
            JOIN conversation_members cm ON cm.conversation_id = c.id AND cm.account_id = \(bind: accountID)
            WHERE c.id = \(bind: conversationID)
            """).first() else { throw CoreError.notFound }
        return (ConversationKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .group,
                ConversationRole(rawValue: try row.decode(column: "role", as: String.self)) ?? .member)
    }

    /// The conversation's kind and what `account` may do in it (`Permissions.conversation`); `notFound` when
    /// they are not a member.
    static func permissions(_ conversationID: Int64, _ account: Account, now: Int64, db: any SQLDatabase) async throws
        -> (kind: ConversationKind, permissions: ConversationPermissions) {
        let (kind, role) = try await membership(conversationID, account.id, db: db)
        var blocked = false
        if kind == .direct, let other = try await directPartners([conversationID], of: account.id, db: db)[conversationID] {
            blocked = try await blockedEitherWay(account.id, other, db: db)
        }
        return (kind, Permissions.conversation(kind: kind, role: role, blocked: blocked, mayAct: AccountService.mayAct(account, now: now)))
    }

    /// The other member of each of these direct conversations, from its key (they may have left it).
    static func directPartners(_ conversationIDs: [Int64], of accountID: Int64, db: any SQLDatabase) async throws -> [Int64: Int64] {
        var partners: [Int64: Int64] = [:]
        for row in try await db.raw("""
            SELECT id, direct_key FROM conversations WHERE kind = 'direct' AND id IN (\(SQLList(conversationIDs.map { SQLBind($0) })))
            """).all() {
            let pair = try row.decode(column: "direct_key", as: String.self).split(separator: ":").compactMap { Int64($0) }
            if let other = pair.first(where: { $0 != accountID }) { partners[try row.decode(column: "id", as: Int64.self)] = other }
        }
        return partners
    }

    /// The messages with their pictures, in the order the sender gave them (one query for all of them).
    static func withAttachments(_ messages: [Message], db: any SQLDatabase) async throws -> [Message] {
        guard !messages.isEmpty else { return messages }
        var pictures: [Int64: [MediaAttachment]] = [:]
        for row in try await db.raw("""
            SELECT \(unsafeRaw: MediaRow.columns), m.message_id AS m_message FROM media m
            WHERE m.message_id IN (\(SQLList(messages.map { SQLBind($0.id) }))) ORDER BY m.position, m.id
            """).all() {
            pictures[try row.decode(column: "m_message", as: Int64.self), default: []].append(try MediaRow.decode(row))
        }
        guard !pictures.isEmpty else { return messages }
        return messages.map { message in
            var message = message
            message.attachments = pictures[message.id] ?? []
            return message
        }
    }

    /// The members of each conversation, in one query (the event log's delivery).
    static func memberIDs(of conversations: [Int64], db: any SQLDatabase) async throws -> [Int64: Set<Int64>] {
        guard !conversations.isEmpty else { return [:] }
        var members: [Int64: Set<Int64>] = [:]
        for row in try await db.raw("""
            SELECT conversation_id, account_id FROM conversation_members WHERE conversation_id IN (\(SQLList(conversations.map { SQLBind($0) })))
            """).all() {
            members[try row.decode(column: "conversation_id", as: Int64.self), default: []].insert(try row.decode(column: "account_id", as: Int64.self))
        }
        return members
    }

    static func memberIDs(_ conversationID: Int64, db: any SQLDatabase) async throws -> [Int64] {
        try await db.raw("SELECT account_id FROM conversation_members WHERE conversation_id = \(bind: conversationID)").all()
            .map { try $0.decode(column: "account_id", as: Int64.self) }
    }

    /// A message in a conversation the viewer is in; `notFound` otherwise.
    static func loadVisible(_ messageID: Int64, viewer: Int64, db: any SQLDatabase) async throws -> Message {
        guard let row = try await db.raw("""
            SELECT \(unsafeRaw: MessageRow.columns) FROM \(unsafeRaw: MessageRow.from)
            JOIN conversation_members cm ON cm.conversation_id = m.conversation_id AND cm.account_id = \(bind: viewer)
            WHERE m.id = \(bind: messageID)
            """).first() else { throw CoreError.notFound }
        return try await withAttachments([try MessageRow.decode(row)], db: db)[0]
    }

    static func views(_ conversations: [Conversation], viewer account: Account, now: Int64, db: any SQLDatabase) async throws -> [ConversationView] {
        guard !conversations.isEmpty else { return [] }
        let viewer = account.id
        let mayAct = AccountService.mayAct(account, now: now)
        // A direct conversation is closed to sending while its two members block each other (either way).
        var blockedPartners: Set<Int64> = []
        let direct = conversations.filter { $0.kind == .direct }.map(\.id)
        var blocks: Set<Int64> = []
        if !direct.isEmpty {
            blocks = try await FeedService.idsByKind("""
                SELECT 'b' AS kind, target_id AS id FROM blocks WHERE account_id = \(bind: viewer)
                UNION ALL SELECT 'b', account_id FROM blocks WHERE target_id = \(bind: viewer)
                """, db: db)["b"] ?? []
        }
        if !blocks.isEmpty {
            for (conversation, other) in try await directPartners(direct, of: viewer, db: db) where blocks.contains(other) {
                blockedPartners.insert(conversation)
            }
        }
        let ids = SQLList(conversations.map { SQLBind($0.id) })
        var members: [Int64: [ConversationMember]] = [:]
        var mine: [Int64: (role: ConversationRole, read: Int64, muted: Bool)] = [:]
        for row in try await db.raw("""
            SELECT cm.conversation_id AS cm_conversation_id, cm.role AS cm_role, cm.last_read_id AS cm_last_read_id,
                   cm.muted AS cm_muted, cm.joined_at AS cm_joined_at, \(unsafeRaw: AccountRow.joinedColumns)
            FROM conversation_members cm JOIN accounts a ON a.id = cm.account_id
            WHERE cm.conversation_id IN (\(ids)) ORDER BY cm.joined_at, a.id
            """).all() {
            let conversation = try row.decode(column: "cm_conversation_id", as: Int64.self)
            let member = ConversationMember(
                account: try AccountRow.decode(row),
                role: ConversationRole(rawValue: try row.decode(column: "cm_role", as: String.self)) ?? .member,
                lastReadID: try row.decode(column: "cm_last_read_id", as: Int64.self),
                joinedAt: try row.decode(column: "cm_joined_at", as: Int64.self))
            members[conversation, default: []].append(member)
            if member.account.id == viewer {
                mine[conversation] = (member.role, member.lastReadID, try row.decode(column: "cm_muted", as: Int.self) != 0)
            }
        }
        var unread: [Int64: Int] = [:]
        for row in try await db.raw("""
            SELECT cm.conversation_id AS id, COUNT(m.id) AS n FROM conversation_members cm
            JOIN messages m ON m.conversation_id = cm.conversation_id AND m.id > cm.last_read_id AND m.sender_id <> cm.account_id
            WHERE cm.account_id = \(bind: viewer) AND cm.conversation_id IN (\(ids)) GROUP BY cm.conversation_id
            """).all() {
            unread[try row.decode(column: "id", as: Int64.self)] = try row.decode(column: "n", as: Int.self)
        }
        var last: [Int64: Message] = [:]
        let lastIDs = conversations.compactMap(\.lastMessageID)
        if !lastIDs.isEmpty {
            for row in try await db.raw("""
                SELECT \(unsafeRaw: MessageRow.columns) FROM \(unsafeRaw: MessageRow.from) WHERE m.id IN (\(SQLList(lastIDs.map { SQLBind($0) })))
                """).all() {
                let message = try MessageRow.decode(row)
                last[message.conversationID] = message
            }
            for message in try await withAttachments(Array(last.values), db: db) {
                last[message.conversationID] = message
            }
        }
        return conversations.map { conversation in
            let me = mine[conversation.id] ?? (.member, 0, false)
            return ConversationView(
                conversation: conversation, members: members[conversation.id] ?? [], lastMessage: last[conversation.id],
                unread: unread[conversation.id] ?? 0, muted: me.muted, viewerRole: me.role, viewerReadID: me.read,
                permissions: Permissions.conversation(kind: conversation.kind, role: me.role, blocked: blockedPartners.contains(conversation.id),
                                                      mayAct: mayAct),
                viewerID: viewer, viewerMayAct: mayAct)
        }
    }
}

/// Lets one typing event per member and conversation through every `interval` milliseconds (clients send
/// one per keystroke burst; a few seconds is what every messenger shows).
final class TypingGate: Sendable {
    static let interval: Int64 = 2_000
    private let last = NIOLockedValueBox<[Pair: Int64]>([:])

    private struct Pair: Hashable { let account: Int64, conversation: Int64 }

    func admits(_ account: Int64, _ conversation: Int64, now: Int64) -> Bool {
        last.withLockedValue { last in
            let pair = Pair(account: account, conversation: conversation)
            if let then = last[pair], now - then < Self.interval { return false }
            if last.count > 100_000 { last.removeAll() }
            last[pair] = now
            return true
        }
    }
}
