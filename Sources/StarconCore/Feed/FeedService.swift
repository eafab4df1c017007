import Foundation
import SQLKit

/// The feed: posting, editing and deleting statuses, and every rule about who sees what. Timelines,
/// interactions and relationships are in the extensions beside this file.
public struct FeedService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    let log: EventLog
    /// Photo files, removed after a deleted status's photos are.
    let mediaFiles: MediaFiles
    /// What members' hide filters left out of their last timeline read (`timeline` sizes its first read by it).
    let hiddenShares = HiddenShares()

    public struct NewStatus: Sendable, Equatable {
        public var text: String
        public var spoilerText: String
        public var visibility: Visibility
        public var inReplyToID: Int64?
        public var language: String?
        /// Ids of one's own unattached uploads (at most four).
        public var mediaIDs: [Int64]
        /// A client's `Idempotency-Key`: the same key from the same member within an hour gives the first status.
        public var idempotencyKey: String?
        public var poll: NewPoll?
        /// Mastodon's `sensitive`; nil: the author's default (`source[sensitive]`). A content warning makes it so anyway.
        public var sensitive: Bool?

        public init(text: String, spoilerText: String = "", visibility: Visibility = .public, inReplyToID: Int64? = nil, language: String? = nil,
                    mediaIDs: [Int64] = [], idempotencyKey: String? = nil, poll: NewPoll? = nil, sensitive: Bool? = nil) {
            self.sensitive = sensitive
            self.mediaIDs = mediaIDs
            self.idempotencyKey = idempotencyKey
            self.poll = poll
            self.text = text
            self.spoilerText = spoilerText
            self.visibility = visibility
            self.inReplyToID = inReplyToID
            self.language = language
        }
    }

    // MARK: Posting

    public func post(author: Account, _ new: NewStatus) async throws -> StatusView {
        let now = clock.nowMilliseconds()
        try AccountService.ensureMayAct(author, now: now)
        // Each photo once, in the order first given (a client may repeat an id).
        var seen = Set<Int64>()
        let mediaIDs = new.mediaIDs.filter { seen.insert($0).inserted }
        guard mediaIDs.count <= MediaAttachment.maxPerStatus else { throw CoreError.invalid("media_count", field: "media_ids") }
        let (text, spoiler) = try Self.validated(text: new.text, spoilerText: new.spoilerText, allowEmpty: !mediaIDs.isEmpty || new.poll != nil)
        let idempotencyKey = try new.idempotencyKey.map(Self.validatedIdempotencyKey)
        let poll = try new.poll.map { try $0.validated() }
        guard poll == nil || mediaIDs.isEmpty else { throw CoreError.invalid("poll_and_media", field: "poll") }
        let language = StatusLanguage.decide(requested: new.language, text: text, member: author.language)
        let id = ids.next()
        let postedID = try await log.write { db, outbox -> Int64 in
            if let idempotencyKey, let first = try await Self.claimIdempotencyKey(idempotencyKey, author: author.id, statusID: id, now: now, db: db) {
                return first
            }
            var replyAccount: Int64?
            if let parentID = new.inReplyToID {
                let viewer = try await Viewer.load(author, now: now, db: db)
                guard let parent = try await Self.load(id: parentID, db: db),
                      viewer.canSee(parent, mentioned: try await Self.mentionIDs(of: parentID, db: db)),
                      viewer.permissions(parent, original: nil).reply else {
                    throw CoreError(.notFound, "reply_target")
                }
                replyAccount = parent.author.id
            }
            let sensitive = try await Self.sensitive(new.sensitive, spoiler: spoiler, author: author.id, db: db)
            try await db.raw("""
                INSERT INTO statuses (id, account_id, text, spoiler_text, visibility, in_reply_to_id, in_reply_to_account_id, language, sensitive, created_at)
                VALUES (\(bind: id), \(bind: author.id), \(bind: text), \(bind: spoiler), \(bind: new.visibility.rawValue),
                        \(bind: new.inReplyToID), \(bind: replyAccount), \(bind: language), \(bind: sensitive ? 1 : 0), \(bind: now))
                """).run()
            try await SearchDocuments.post(id: id, text: text, spoilerText: spoiler, db: db)
            if let poll { try await Polls.store(poll, statusID: id, now: now, db: db) }
            if let parentID = new.inReplyToID {
                try await db.raw("UPDATE statuses SET replies_count = replies_count + 1 WHERE id = \(bind: parentID)").run()
            }
            for (position, mediaID) in mediaIDs.enumerated() {
                // Only one's own photo, and only once: a photo already on a status or a message is not moved.
                let attached = try await db.raw("""
                    UPDATE media SET status_id = \(bind: id), position = \(bind: position)
                    WHERE id = \(bind: mediaID) AND account_id = \(bind: author.id) AND status_id IS NULL AND message_id IS NULL RETURNING id
                    """).first() != nil
                guard attached else { throw CoreError.invalid("media_unknown", field: "media_ids") }
            }
            try await HomeFeed.fanOut(statusID: id, author: author.id, visibility: new.visibility, outbox: outbox, db: db)
            if new.visibility == .public {
                outbox.add(Event(audience: .everyone, payload: .feed(.network(statusID: id, tags: StatusText.hashtags(text)))))
            }
            var mentioned = try await Self.storeMentionsAndTags(statusID: id, author: author, text: text, db: db)
            if let replyAccount, replyAccount != author.id, !mentioned.contains(replyAccount),
               try await !Self.blocks(replyAccount, author.id, db: db) {
                try await db.raw("INSERT INTO status_mentions (status_id, account_id) VALUES (\(bind: id), \(bind: replyAccount))").run()
                mentioned.append(replyAccount)
            }
            if new.visibility == .public { try await HomeFeed.tagFanOut(statusID: id, author: author.id, outbox: outbox, db: db) }
            if new.visibility == .direct {
                try await HomeFeed.directFanOut(statusID: id, author: author.id, recipients: mentioned, outbox: outbox, db: db)
                try await Conversations.record(statusID: id, author: author.id, inReplyTo: new.inReplyToID, recipients: mentioned, outbox: outbox, db: db)
            }
            for account in mentioned {
                try await Notifications.add(to: account, type: .mention, from: author.id, status: id, ids: ids, now: now, outbox: outbox, db: db)
            }
            return id
        }
        return try await view(id: postedID, viewer: author) ?? { throw CoreError.notFound }()
    }

    /// Records that `key` posted `statusID`, unless the member's same key posted a status that still exists
    /// within the last hour: then that status's id. The insert comes first, so a concurrent retry waits on
    /// this row's unique key until this transaction ends, and then finds it.
    static func claimIdempotencyKey(_ key: String, author: Int64, statusID: Int64, now: Int64, db: any SQLDatabase) async throws -> Int64? {
        let cutoff = now - FeedRules.idempotencyWindow
        try await db.raw("""
            INSERT INTO status_idempotency (account_id, idempotency_key, status_id, created_at)
            VALUES (\(bind: author), \(bind: key), \(bind: statusID), \(bind: now))
            ON CONFLICT (account_id, idempotency_key) DO UPDATE SET status_id = excluded.status_id, created_at = excluded.created_at
            WHERE status_idempotency.created_at < \(bind: cutoff)
            """).run()
        // Read in statements of their own, which on PostgreSQL see what a concurrent retry committed meanwhile.
        guard let stored = try await db.raw("""
            SELECT status_id FROM status_idempotency WHERE account_id = \(bind: author) AND idempotency_key = \(bind: key)
            """).first()?.decode(column: "status_id", as: Int64.self), stored != statusID else { return nil }
        if try await db.raw("SELECT 1 AS x FROM statuses WHERE id = \(bind: stored)").first() != nil { return stored }
        // The first status was deleted since: this one takes the key.
        try await db.raw("""
            UPDATE status_idempotency SET status_id = \(bind: statusID), created_at = \(bind: now)
            WHERE account_id = \(bind: author) AND idempotency_key = \(bind: key)
            """).run()
        return nil
    }

    static func validatedIdempotencyKey(_ key: String) throws -> String {
        guard !key.isEmpty, key.utf8.count <= 255 else { throw CoreError.invalid("idempotency_key", field: "Idempotency-Key") }
        return key
    }

    /// Replaces the text of one's own status, keeping the earlier version in its history.
    public func edit(actor: Account, id: Int64, text: String, spoilerText: String) async throws -> StatusView {
        let now = clock.nowMilliseconds()
        try AccountService.ensureMayAct(actor, now: now)
        let hasMedia = try await database.read { db in
            try await db.raw("SELECT 1 AS x FROM media WHERE status_id = \(bind: id)").first() != nil
        }
        let (text, spoiler) = try Self.validated(text: text, spoilerText: spoilerText, allowEmpty: hasMedia)
        try await log.write { db, outbox in
            guard let status = try await Self.load(id: id, db: db), status.reblogOfID == nil else { throw CoreError.notFound }
            guard Permissions.status(status, viewer: actor, mayAct: AccountService.mayAct(actor, now: now)).edit else {
                throw try await Self.refusal(status, to: actor, now: now, db: db)
            }
            guard status.text != text || status.spoilerText != spoiler else { return }
            try await db.raw("""
                INSERT INTO status_edits (id, status_id, text, spoiler_text, created_at)
                VALUES (\(bind: ids.next()), \(bind: id), \(bind: status.text), \(bind: status.spoilerText), \(bind: status.editedAt ?? status.createdAt))
                """).run()
            try await db.raw("UPDATE statuses SET text = \(bind: text), spoiler_text = \(bind: spoiler), edited_at = \(bind: now) WHERE id = \(bind: id)").run()
            try await SearchDocuments.post(id: id, text: text, spoilerText: spoiler, db: db)
            try await db.raw("DELETE FROM status_tags WHERE status_id = \(bind: id)").run()
            let before = Set(try await Self.mentionIDs(of: id, db: db))
            let keep = status.inReplyToAccountID.map { [$0] } ?? []
            try await db.raw("DELETE FROM status_mentions WHERE status_id = \(bind: id)").run()
            let after = try await Self.storeMentionsAndTags(statusID: id, author: actor, text: text, db: db, keeping: keep.filter(before.contains))
            for account in after where !before.contains(account) {
                try await Notifications.add(to: account, type: .mention, from: actor.id, status: id, ids: ids, now: now, outbox: outbox, db: db)
            }
            // Whoever may have it on screen: public statuses reach anyone's public streams; others, the followers and those mentioned.
            if status.visibility == .public {
                outbox.add(Event(audience: .everyone, payload: .feed(.edited(statusID: id))))
            } else {
                let followers = try await db.raw("SELECT account_id FROM follows WHERE target_id = \(bind: actor.id)").all()
                    .map { try $0.decode(column: "account_id", as: Int64.self) }
                outbox.add(Event(to: Set(followers + after + [actor.id]), .feed(.edited(statusID: id))))
            }
        }
        return try await view(id: id, viewer: actor)!
    }

    /// Deletes a status (its author, or a moderator), with its reposts and photos; replies stay, detached.
    @discardableResult
    public func delete(actor: Account, id: Int64) async throws -> Status {
        let (deleted, photos) = try await log.write { db, outbox -> (Status, [String]) in
            guard let status = try await Self.load(id: id, db: db) else { throw CoreError.notFound }
            guard Permissions.status(status, viewer: actor, mayAct: AccountService.mayAct(actor, now: clock.nowMilliseconds())).delete else {
                throw try await Self.refusal(status, to: actor, now: clock.nowMilliseconds(), db: db)
            }
            if let parent = status.inReplyToID {
                try await db.raw("UPDATE statuses SET replies_count = replies_count - 1 WHERE id = \(bind: parent) AND replies_count > 0").run()
            }
            if let original = status.reblogOfID {
                try await db.raw("UPDATE statuses SET reblogs_count = reblogs_count - 1 WHERE id = \(bind: original) AND reblogs_count > 0").run()
            }
            let photos = try await db.raw("DELETE FROM media WHERE status_id = \(bind: id) RETURNING digest").all()
                .map { try $0.decode(column: "digest", as: String.self) }
            try await db.raw("DELETE FROM statuses WHERE id = \(bind: id)").run()
            try await SearchDocuments.remove(kind: "post", id: id, db: db)
            outbox.add(Event(audience: .everyone, payload: .feed(.deleted(statusID: id))))
            return (status, photos)
        }
        await mediaFiles.release(photos)
        return deleted
    }

    /// Why `actor` may not change someone else's status: forbidden when they can see it, else not found, so
    /// that the answer does not reveal that a status they may not see exists.
    static func refusal(_ status: Status, to actor: Account, now: Int64, db: any SQLDatabase) async throws -> CoreError {
        let visible = try await Viewer.load(actor, now: now, db: db).canSee(status, mentioned: try await Self.mentionIDs(of: status.id, db: db))
        return visible ? .forbidden : .notFound
    }

    // MARK: Reading one status

    /// The status as `viewer` sees it, or nil when it does not exist or is not theirs to see.
    /// `inTimeline`: also leave it out when the viewer would not want it in a timeline (a muted author or
    /// reposter), as for a live timeline update.
    /// `context`: where it is shown, for the viewer's filters (`views`).
    public func view(id: Int64, viewer: Account, inTimeline: Bool = false, context: FilterContext? = nil) async throws -> StatusView? {
        try await database.read { db in
            guard let status = try await Self.load(id: id, db: db) else { return nil }
            return try await Self.views([status], viewer: try await Viewer.load(viewer, now: clock.nowMilliseconds(), db: db), db: db,
                                        timeline: inTimeline, context: context).first
        }
    }

    /// Earlier versions of an edited status, oldest first, then the current one.
    public func history(id: Int64, viewer: Account) async throws -> [StatusEdit] {
        guard let current = try await view(id: id, viewer: viewer)?.status else { throw CoreError.notFound }
        let earlier = try await database.read { db in
            try await db.raw("SELECT text, spoiler_text, created_at FROM status_edits WHERE status_id = \(bind: id) ORDER BY id").all().map {
                StatusEdit(text: try $0.decode(column: "text", as: String.self), spoilerText: try $0.decode(column: "spoiler_text", as: String.self),
                           createdAt: try $0.decode(column: "created_at", as: Int64.self))
            }
        }
        return earlier + [StatusEdit(text: current.text, spoilerText: current.spoilerText, createdAt: current.editedAt ?? current.createdAt)]
    }

    /// The thread around a status: its ancestors from the root down, and its descendants in reading order.
    public func context(id: Int64, viewer: Account) async throws -> (ancestors: [StatusView], descendants: [StatusView]) {
        try await database.read { db in
            guard let status = try await Self.load(id: id, db: db) else { throw CoreError.notFound }
            let who = try await Viewer.load(viewer, now: clock.nowMilliseconds(), db: db)
            guard who.canSee(status, mentioned: try await Self.mentionIDs(of: id, db: db)) else { throw CoreError.notFound }
            var ancestors: [Status] = []
            var next = status.inReplyToID
            while let parentID = next, ancestors.count < 100, let parent = try await Self.load(id: parentID, db: db) {
                ancestors.insert(parent, at: 0)
                next = parent.inReplyToID
            }
            var descendants: [Status] = []
            var frontier = [id]
            while !frontier.isEmpty, descendants.count < 500 {
                let rows = try await db.raw("""
                    SELECT \(unsafeRaw: StatusRow.columns) FROM \(unsafeRaw: StatusRow.from)
                    WHERE s.in_reply_to_id IN (\(SQLList(frontier.map { SQLBind($0) }))) ORDER BY s.id
                    """).all().map(StatusRow.decode)
                descendants += rows
                frontier = rows.map(\.id)
            }
            let ordered = Self.depthFirst(descendants, root: id)
            return (try await Self.views(ancestors, viewer: who, db: db, context: .thread), try await Self.views(ordered, viewer: who, db: db, context: .thread))
        }
    }

    /// Replies in reading order: each reply followed by its own replies, oldest first at every level.
    static func depthFirst(_ statuses: [Status], root: Int64) -> [Status] {
        let children = Dictionary(grouping: statuses, by: { $0.inReplyToID ?? 0 })
        var result: [Status] = []
        func walk(_ parent: Int64) {
            for child in (children[parent] ?? []).sorted(by: { $0.id < $1.id }) {
                result.append(child)
                walk(child.id)
            }
        }
        walk(root)
        return result
    }

    // MARK: Rules

    /// Whether a new status is sensitive: the client's word, else the author's `source[sensitive]`; a content
    /// warning always makes it so.
    static func sensitive(_ asked: Bool?, spoiler: String, author: Int64, db: any SQLDatabase) async throws -> Bool {
        if !spoiler.isEmpty { return true }
        if let asked { return asked }
        return try await db.raw("SELECT posting_sensitive FROM accounts WHERE id = \(bind: author)").first()?
            .decode(column: "posting_sensitive", as: Int.self) == 1
    }

    static func validated(text: String, spoilerText: String, allowEmpty: Bool = false) throws -> (String, String) {
        let text = AccountRules.stripControls(text, keepNewlines: true).trimmingWhitespace()
        let spoiler = AccountRules.stripControls(spoilerText).trimmingWhitespace()
        guard !text.isEmpty || allowEmpty else { throw CoreError.invalid("status_empty", field: "status") }
        guard text.count <= FeedRules.maxCharacters else { throw CoreError.invalid("status_long", field: "status") }
        guard spoiler.count <= FeedRules.maxSpoilerCharacters else { throw CoreError.invalid("spoiler_long", field: "spoiler_text") }
        return (text, spoiler)
    }

    // MARK: Store helpers

    static func load(id: Int64, db: any SQLDatabase) async throws -> Status? {
        try await db.raw("SELECT \(unsafeRaw: StatusRow.columns) FROM \(unsafeRaw: StatusRow.from) WHERE s.id = \(bind: id)").first().map(StatusRow.decode)
    }

    static func mentionIDs(of statusID: Int64, db: any SQLDatabase) async throws -> [Int64] {
        try await db.raw("SELECT account_id FROM status_mentions WHERE status_id = \(bind: statusID)").all().map { try $0.decode(column: "account_id", as: Int64.self) }
    }

    /// True when `blocker` has blocked `blocked`.
    static func blocks(_ blocker: Int64, _ blocked: Int64, db: any SQLDatabase) async throws -> Bool {
        try await db.raw("SELECT 1 AS x FROM blocks WHERE account_id = \(bind: blocker) AND target_id = \(bind: blocked)").first() != nil
    }

    /// Records the members a text mentions (active, and not blocking the author) and its hashtags; returns
    /// the ids of the members mentioned, in order.
    static func storeMentionsAndTags(statusID: Int64, author: Account, text: String, db: any SQLDatabase, keeping: [Int64] = []) async throws -> [Int64] {
        var mentioned: [Int64] = keeping
        for name in StatusText.mentions(text).prefix(FeedRules.maxMentions) {
            guard let account = try await AccountService.find(username: name, db: db), account.status == .active,
                  !mentioned.contains(account.id), try await !blocks(account.id, author.id, db: db) else { continue }
            mentioned.append(account.id)
        }
        for account in mentioned {
            try await db.raw("INSERT INTO status_mentions (status_id, account_id) VALUES (\(bind: statusID), \(bind: account))").run()
        }
        for tag in StatusText.hashtags(text).prefix(30) {
            try await db.raw("INSERT INTO status_tags (tag, status_id) VALUES (\(bind: tag), \(bind: statusID)) ON CONFLICT DO NOTHING").run()
        }
        return mentioned.filter { $0 != author.id }
    }
}
