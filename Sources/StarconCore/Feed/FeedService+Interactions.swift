import SQLKit

extension FeedService {
    public enum Interaction: Sendable {
        case favourite, bookmark
    }

    /// Favourites or bookmarks a status the member can see; doing it twice changes nothing.
    public func add(_ interaction: Interaction, by actor: Account, statusID: Int64) async throws -> StatusView {
        let now = clock.nowMilliseconds()
        try AccountService.ensureMayAct(actor, now: now)
        try await log.write { db, outbox in
            let (status, permissions) = try await Self.visibleOriginal(statusID, to: actor, now: now, db: db)
            guard interaction == .favourite ? permissions.favourite : permissions.bookmark else { throw CoreError.forbidden }
            switch interaction {
            case .favourite:
                let inserted = try await db.raw("""
                    INSERT INTO favourites (account_id, status_id, created_at) VALUES (\(bind: actor.id), \(bind: status.id), \(bind: now))
                    ON CONFLICT DO NOTHING RETURNING status_id
                    """).first() != nil
                guard inserted else { return }
                try await db.raw("UPDATE statuses SET favourites_count = favourites_count + 1 WHERE id = \(bind: status.id)").run()
                try await Notifications.add(to: status.author.id, type: .favourite, from: actor.id, status: status.id, ids: ids, now: now, outbox: outbox, db: db)
            case .bookmark:
                try await db.raw("""
                    INSERT INTO bookmarks (id, account_id, status_id) VALUES (\(bind: ids.next()), \(bind: actor.id), \(bind: status.id))
                    ON CONFLICT DO NOTHING
                    """).run()
            }
        }
        return try await view(id: statusID, viewer: actor) ?? { throw CoreError.notFound }()
    }

    public func remove(_ interaction: Interaction, by actor: Account, statusID: Int64) async throws -> StatusView {
        try await database.write { db in
            let status = try await Self.visibleOriginal(statusID, to: actor, now: clock.nowMilliseconds(), db: db).status
            switch interaction {
            case .favourite:
                let removed = try await db.raw("""
                    DELETE FROM favourites WHERE account_id = \(bind: actor.id) AND status_id = \(bind: status.id) RETURNING status_id
                    """).first() != nil
                if removed {
                    try await db.raw("UPDATE statuses SET favourites_count = favourites_count - 1 WHERE id = \(bind: status.id) AND favourites_count > 0").run()
                }
            case .bookmark:
                try await db.raw("DELETE FROM bookmarks WHERE account_id = \(bind: actor.id) AND status_id = \(bind: status.id)").run()
            }
        }
        return try await view(id: statusID, viewer: actor) ?? { throw CoreError.notFound }()
    }

    /// Reacts with one of `FeedRules.reactions`; reacting twice with the same emoji changes nothing.
    public func react(by actor: Account, statusID: Int64, emoji: String) async throws -> StatusView {
        let now = clock.nowMilliseconds()
        try AccountService.ensureMayAct(actor, now: now)
        guard let emoji = Self.reaction(emoji) else { throw CoreError.invalid("reaction_unknown", field: "emoji") }
        try await log.write { db, outbox in
            let (status, permissions) = try await Self.visibleOriginal(statusID, to: actor, now: now, db: db)
            guard permissions.react else { throw CoreError.forbidden }
            let inserted = try await db.raw("""
                INSERT INTO status_reactions (account_id, status_id, emoji, created_at) VALUES (\(bind: actor.id), \(bind: status.id), \(bind: emoji), \(bind: now))
                ON CONFLICT DO NOTHING RETURNING status_id
                """).first() != nil
            if inserted {
                try await Notifications.add(to: status.author.id, type: .reaction, from: actor.id, status: status.id, emoji: emoji, ids: ids, now: now, outbox: outbox, db: db)
            }
        }
        return try await view(id: statusID, viewer: actor) ?? { throw CoreError.notFound }()
    }

    public func unreact(by actor: Account, statusID: Int64, emoji: String) async throws -> StatusView {
        guard let emoji = Self.reaction(emoji) else { throw CoreError.invalid("reaction_unknown", field: "emoji") }
        try await database.write { db in
            let status = try await Self.visibleOriginal(statusID, to: actor, now: clock.nowMilliseconds(), db: db).status
            try await db.raw("DELETE FROM status_reactions WHERE account_id = \(bind: actor.id) AND status_id = \(bind: status.id) AND emoji = \(bind: emoji)").run()
        }
        return try await view(id: statusID, viewer: actor) ?? { throw CoreError.notFound }()
    }

    /// The allowed emoji matching `text` (with or without the emoji variation selector).
    static func reaction(_ text: String) -> String? {
        let bare = text.unicodeScalars.filter { $0 != "\u{FE0F}" }
        return FeedRules.reactions.first { String(String.UnicodeScalarView($0.unicodeScalars.filter { $0 != "\u{FE0F}" })) == String(String.UnicodeScalarView(bare)) }
    }

    /// Reposts a public status to one's followers; returns the repost. Reposting twice returns the first.
    public func reblog(by actor: Account, statusID: Int64) async throws -> StatusView {
        let now = clock.nowMilliseconds()
        try AccountService.ensureMayAct(actor, now: now)
        let id = ids.next()
        let repostID: Int64 = try await log.write { db, outbox in
            let (original, permissions) = try await Self.visibleOriginal(statusID, to: actor, now: now, db: db)
            guard permissions.repost else { throw CoreError(.forbidden, "reblog_private") }
            if let existing = try await db.raw("SELECT id FROM statuses WHERE reblog_of_id = \(bind: original.id) AND account_id = \(bind: actor.id)").first() {
                return try existing.decode(column: "id", as: Int64.self)
            }
            try await db.raw("""
                INSERT INTO statuses (id, account_id, text, visibility, reblog_of_id, created_at)
                VALUES (\(bind: id), \(bind: actor.id), '', 'public', \(bind: original.id), \(bind: now))
                """).run()
            try await db.raw("UPDATE statuses SET reblogs_count = reblogs_count + 1 WHERE id = \(bind: original.id)").run()
            try await HomeFeed.fanOut(statusID: id, author: actor.id, visibility: .public, outbox: outbox, db: db)
            try await Notifications.add(to: original.author.id, type: .reblog, from: actor.id, status: original.id, ids: ids, now: now, outbox: outbox, db: db)
            return id
        }
        return try await view(id: repostID, viewer: actor) ?? { throw CoreError.notFound }()
    }

    /// Undoes one's repost; returns the original.
    public func unreblog(by actor: Account, statusID: Int64) async throws -> StatusView {
        let originalID: Int64 = try await database.write { db in
            let original = try await Self.visibleOriginal(statusID, to: actor, now: clock.nowMilliseconds(), db: db).status
            let removed = try await db.raw("""
                DELETE FROM statuses WHERE reblog_of_id = \(bind: original.id) AND account_id = \(bind: actor.id) RETURNING id
                """).first() != nil
            if removed {
                try await db.raw("UPDATE statuses SET reblogs_count = reblogs_count - 1 WHERE id = \(bind: original.id) AND reblogs_count > 0").run()
            }
            return original.id
        }
        return try await view(id: originalID, viewer: actor) ?? { throw CoreError.notFound }()
    }

    /// Members who favourited (or reposted) a status the viewer can see, most recent first.
    public func accounts(who interaction: Interaction, statusID: Int64, viewer: Account, reposted: Bool = false, limit: Int = 40) async throws -> [Account] {
        try await database.read { db in
            let status = try await Self.visibleOriginal(statusID, to: viewer, now: clock.nowMilliseconds(), db: db).status
            let columns = AccountRow.joinedColumns
            let query: SQLQueryString = reposted
                ? "SELECT \(unsafeRaw: columns) FROM statuses r JOIN accounts a ON a.id = r.account_id WHERE r.reblog_of_id = \(bind: status.id) AND a.status = 'active' ORDER BY r.id DESC LIMIT \(bind: limit)"
                : "SELECT \(unsafeRaw: columns) FROM favourites f JOIN accounts a ON a.id = f.account_id WHERE f.status_id = \(bind: status.id) AND a.status = 'active' ORDER BY f.created_at DESC LIMIT \(bind: limit)"
            let viewerState = try await Viewer.load(viewer, now: clock.nowMilliseconds(), db: db)
            return try await db.raw(query).all().map(AccountRow.decode).filter { !viewerState.blockedEitherWay.contains($0.id) }
        }
    }

    /// The status behind `id` (the original when `id` is a repost), if the member may see it, with what they
    /// may do with it.
    static func visibleOriginal(_ id: Int64, to viewer: Account, now: Int64, db: any SQLDatabase) async throws
        -> (status: Status, permissions: StatusPermissions) {
        guard var status = try await load(id: id, db: db) else { throw CoreError.notFound }
        if let original = status.reblogOfID {
            guard let loaded = try await load(id: original, db: db) else { throw CoreError.notFound }
            status = loaded
        }
        let who = try await Viewer.load(viewer, now: now, db: db)
        guard who.canSee(status, mentioned: try await mentionIDs(of: status.id, db: db)) else { throw CoreError.notFound }
        return (status, who.permissions(status, original: nil))
    }
}
