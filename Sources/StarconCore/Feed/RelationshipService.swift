import SQLKit

/// How one member stands to another (Mastodon's Relationship entity).
public struct Relationship: Sendable, Equatable {
    public let id: Int64
    public var following = false
    public var followedBy = false
    public var requested = false
    public var requestedBy = false
    public var blocking = false
    public var blockedBy = false
    public var muting = false
    /// Shown on the viewer's profile (Mastodon's endorsements).
    public var endorsed = false
    /// The viewer's private note about this member.
    public var note = ""
}

/// A member as one viewer sees them: how the two stand, and what the viewer may do (`Permissions.account`).
public struct AccountView: Sendable, Equatable {
    public let account: Account
    public let relationship: Relationship
    public let permissions: AccountPermissions
}

/// The counts on a profile.
public struct AccountCounts: Sendable, Equatable {
    public let statuses: Int
    public let followers: Int
    public let following: Int
}

/// Follows (with requests for locked accounts), blocks and mutes.
public struct RelationshipService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    let log: EventLog

    /// `target` as `viewer` sees them, or nil when the viewer may not see them at all (a member who is not
    /// active, or who blocked the viewer): every surface then answers "not found".
    public func view(of target: Account, viewer: Account) async throws -> AccountView? {
        let view = try await database.read { db in try await Self.view(of: target, viewer: viewer, now: clock.nowMilliseconds(), db: db) }
        return view.permissions.view ? view : nil
    }

    /// The member with this username as `viewer` sees them, or nil (see `view(of:viewer:)`).
    public func view(username: String, viewer: Account) async throws -> AccountView? {
        guard let account = try await database.read({ db in try await AccountService.find(username: username, db: db) }) else { return nil }
        return try await view(of: account, viewer: viewer)
    }

    public func view(id: Int64, viewer: Account) async throws -> AccountView? {
        guard let account = try await database.read({ db in try await AccountService.find(id: id, db: db) }) else { return nil }
        return try await view(of: account, viewer: viewer)
    }

    /// The accounts `viewer` may see (`AccountPermissions.view`), in their order: search results leave out
    /// whoever blocked the viewer, as their profiles do.
    public func visible(_ accounts: [Account], to viewer: Account) async throws -> [Account] {
        guard !accounts.isEmpty else { return [] }
        let blockers: Set<Int64> = try await database.read { db in
            Set(try await db.raw("SELECT account_id FROM blocks WHERE target_id = \(bind: viewer.id)").all()
                .map { try $0.decode(column: "account_id", as: Int64.self) })
        }
        let mayAct = AccountService.mayAct(viewer, now: clock.nowMilliseconds())
        return accounts.filter { account in
            Permissions.account(account, viewer: viewer, relationship: Relationship(id: account.id, blockedBy: blockers.contains(account.id)),
                                mayAct: mayAct).view
        }
    }

    static func view(of target: Account, viewer: Account, now: Int64, db: any SQLDatabase) async throws -> AccountView {
        let relationship = try await relationship(viewer.id, target.id, db: db)
        return AccountView(account: target, relationship: relationship,
                           permissions: Permissions.account(target, viewer: viewer, relationship: relationship, mayAct: AccountService.mayAct(viewer, now: now)))
    }

    /// Follows `target`, or asks to when the account is locked. Blocks either way refuse it.
    public func follow(_ actor: Account, _ target: Account) async throws -> Relationship {
        let now = clock.nowMilliseconds()
        try AccountService.ensureMayAct(actor, now: now)
        guard actor.id != target.id else { throw CoreError.invalid("follow_self") }
        guard target.status == .active else { throw CoreError.notFound }
        try await log.write { db, outbox in
            let view = try await Self.view(of: target, viewer: actor, now: now, db: db)
            let state = view.relationship
            guard view.permissions.follow else { throw CoreError(.forbidden, "blocked") }
            guard !state.following, !state.requested else { return }
            if target.locked {
                try await db.raw("INSERT INTO follow_requests (id, account_id, target_id) VALUES (\(bind: ids.next()), \(bind: actor.id), \(bind: target.id))").run()
                try await Notifications.add(to: target.id, type: .followRequest, from: actor.id, status: nil, ids: ids, now: now, outbox: outbox, db: db)
            } else {
                try await db.raw("INSERT INTO follows (account_id, target_id, created_at) VALUES (\(bind: actor.id), \(bind: target.id), \(bind: now))").run()
                try await HomeFeed.followed(follower: actor.id, target: target.id, db: db)
                try await Notifications.add(to: target.id, type: .follow, from: actor.id, status: nil, ids: ids, now: now, outbox: outbox, db: db)
            }
        }
        return try await relationship(actor, target.id)
    }

    public func unfollow(_ actor: Account, _ target: Account) async throws -> Relationship {
        try await database.write { db in
            try await db.raw("DELETE FROM follows WHERE account_id = \(bind: actor.id) AND target_id = \(bind: target.id)").run()
            try await db.raw("DELETE FROM follow_requests WHERE account_id = \(bind: actor.id) AND target_id = \(bind: target.id)").run()
            try await HomeFeed.unfollowed(follower: actor.id, target: target.id, db: db)
        }
        return try await relationship(actor, target.id)
    }

    /// A blocked member sees nothing of the blocker and cannot reply, mention or follow; follows end both ways.
    public func block(_ actor: Account, _ target: Account) async throws -> Relationship {
        try await database.write { db in
            guard try await Self.view(of: target, viewer: actor, now: clock.nowMilliseconds(), db: db).permissions.block else {
                throw CoreError.invalid("block_self")
            }
            try await db.raw("INSERT INTO blocks (account_id, target_id) VALUES (\(bind: actor.id), \(bind: target.id)) ON CONFLICT DO NOTHING").run()
            for (a, b) in [(actor.id, target.id), (target.id, actor.id)] {
                try await db.raw("DELETE FROM follows WHERE account_id = \(bind: a) AND target_id = \(bind: b)").run()
                try await db.raw("DELETE FROM follow_requests WHERE account_id = \(bind: a) AND target_id = \(bind: b)").run()
                try await HomeFeed.unfollowed(follower: a, target: b, db: db)
            }
            try await db.raw("DELETE FROM notifications WHERE account_id = \(bind: actor.id) AND from_account_id = \(bind: target.id)").run()
        }
        return try await relationship(actor, target.id)
    }

    public func unblock(_ actor: Account, _ target: Account) async throws -> Relationship {
        try await database.write { db in
            try await db.raw("DELETE FROM blocks WHERE account_id = \(bind: actor.id) AND target_id = \(bind: target.id)").run()
        }
        return try await relationship(actor, target.id)
    }

    public func mute(_ actor: Account, _ target: Account) async throws -> Relationship {
        try await database.write { db in
            guard try await Self.view(of: target, viewer: actor, now: clock.nowMilliseconds(), db: db).permissions.mute else {
                throw CoreError.invalid("mute_self")
            }
            try await db.raw("INSERT INTO mutes (account_id, target_id) VALUES (\(bind: actor.id), \(bind: target.id)) ON CONFLICT DO NOTHING").run()
        }
        return try await relationship(actor, target.id)
    }

    public func unmute(_ actor: Account, _ target: Account) async throws -> Relationship {
        try await database.write { db in
            try await db.raw("DELETE FROM mutes WHERE account_id = \(bind: actor.id) AND target_id = \(bind: target.id)").run()
        }
        return try await relationship(actor, target.id)
    }

    /// Accepts (or turns down) a follow request made to `actor`.
    public func answerRequest(_ actor: Account, from requester: Int64, accept: Bool) async throws -> Relationship {
        let now = clock.nowMilliseconds()
        try await log.write { db, outbox in
            let removed = try await db.raw("""
                DELETE FROM follow_requests WHERE account_id = \(bind: requester) AND target_id = \(bind: actor.id) RETURNING id
                """).first() != nil
            guard removed else { throw CoreError.notFound }
            if accept {
                try await db.raw("""
                    INSERT INTO follows (account_id, target_id, created_at) VALUES (\(bind: requester), \(bind: actor.id), \(bind: now))
                    ON CONFLICT DO NOTHING
                    """).run()
                try await HomeFeed.followed(follower: requester, target: actor.id, db: db)
                try await db.raw("DELETE FROM notifications WHERE account_id = \(bind: actor.id) AND from_account_id = \(bind: requester) AND type = 'follow_request'").run()
                try await Notifications.add(to: actor.id, type: .follow, from: requester, status: nil, ids: ids, now: now, outbox: outbox, db: db)
            }
        }
        return try await relationship(actor, requester)
    }

    public func relationship(_ actor: Account, _ target: Int64) async throws -> Relationship {
        try await database.read { db in try await Self.relationship(actor.id, target, db: db) }
    }

    public func relationships(_ actor: Account, _ targets: [Int64]) async throws -> [Relationship] {
        try await database.read { db in
            var result: [Relationship] = []
            for target in targets.prefix(100) { result.append(try await Self.relationship(actor.id, target, db: db)) }
            return result
        }
    }

    static func relationship(_ a: Int64, _ b: Int64, db: any SQLDatabase) async throws -> Relationship {
        let rows = try await db.raw("""
            SELECT 'following' AS k FROM follows WHERE account_id = \(bind: a) AND target_id = \(bind: b)
            UNION ALL SELECT 'followed_by' AS k FROM follows WHERE account_id = \(bind: b) AND target_id = \(bind: a)
            UNION ALL SELECT 'requested' AS k FROM follow_requests WHERE account_id = \(bind: a) AND target_id = \(bind: b)
            UNION ALL SELECT 'requested_by' AS k FROM follow_requests WHERE account_id = \(bind: b) AND target_id = \(bind: a)
            UNION ALL SELECT 'blocking' AS k FROM blocks WHERE account_id = \(bind: a) AND target_id = \(bind: b)
            UNION ALL SELECT 'blocked_by' AS k FROM blocks WHERE account_id = \(bind: b) AND target_id = \(bind: a)
            UNION ALL SELECT 'muting' AS k FROM mutes WHERE account_id = \(bind: a) AND target_id = \(bind: b)
            UNION ALL SELECT 'endorsed' AS k FROM endorsements WHERE account_id = \(bind: a) AND target_id = \(bind: b)
            UNION ALL SELECT 'note' AS k FROM account_notes WHERE account_id = \(bind: a) AND target_id = \(bind: b)
            """).all()
        let kinds = Set(try rows.map { try $0.decode(column: "k", as: String.self) })
        var relationship = Relationship(id: b, following: kinds.contains("following"), followedBy: kinds.contains("followed_by"),
                                        requested: kinds.contains("requested"), requestedBy: kinds.contains("requested_by"),
                                        blocking: kinds.contains("blocking"), blockedBy: kinds.contains("blocked_by"), muting: kinds.contains("muting"),
                                        endorsed: kinds.contains("endorsed"))
        if kinds.contains("note") {
            relationship.note = try await db.raw("SELECT note FROM account_notes WHERE account_id = \(bind: a) AND target_id = \(bind: b)").first()?
                .decode(column: "note", as: String.self) ?? ""
        }
        return relationship
    }

    /// `blocks`, `mutes`: the members this one blocked or muted (paged by their id, so they can be reviewed and undone).
    public enum Direction: Sendable { case followers, following, requests, blocks, mutes }

    /// Followers or followed accounts of `account`, or the requests waiting for it; newest first, paged
    /// by the follow's time (`before`).
    public func accounts(_ direction: Direction, of account: Int64, before: Int64? = nil, limit: Int = 40) async throws -> [(Account, cursor: Int64)] {
        let columns = AccountRow.joinedColumns
        let query: SQLQueryString
        switch direction {
        case .followers:
            query = "SELECT \(unsafeRaw: columns), f.created_at AS cursor FROM follows f JOIN accounts a ON a.id = f.account_id WHERE f.target_id = \(bind: account) AND f.created_at < \(bind: before ?? Int64.max) AND a.status = 'active' ORDER BY f.created_at DESC LIMIT \(bind: limit)"
        case .following:
            query = "SELECT \(unsafeRaw: columns), f.created_at AS cursor FROM follows f JOIN accounts a ON a.id = f.target_id WHERE f.account_id = \(bind: account) AND f.created_at < \(bind: before ?? Int64.max) AND a.status = 'active' ORDER BY f.created_at DESC LIMIT \(bind: limit)"
        case .requests:
            query = "SELECT \(unsafeRaw: columns), r.id AS cursor FROM follow_requests r JOIN accounts a ON a.id = r.account_id WHERE r.target_id = \(bind: account) AND r.id < \(bind: before ?? Int64.max) AND a.status = 'active' ORDER BY r.id DESC LIMIT \(bind: limit)"
        case .blocks, .mutes:
            let table = direction == .blocks ? "blocks" : "mutes"
            query = "SELECT \(unsafeRaw: columns), a.id AS cursor FROM \(unsafeRaw: table) b JOIN accounts a ON a.id = b.target_id WHERE b.account_id = \(bind: account) AND a.id < \(bind: before ?? Int64.max) ORDER BY a.id DESC LIMIT \(bind: limit)"
        }
        return try await database.read { db in
            try await db.raw(query).all().map { (try AccountRow.decode($0), try $0.decode(column: "cursor", as: Int64.self)) }
        }
    }

    public func counts(_ account: Int64) async throws -> AccountCounts {
        try await database.read { db in
            let row = try await db.raw("""
                SELECT (SELECT COUNT(*) FROM statuses WHERE account_id = \(bind: account) AND visibility <> 'direct') AS statuses,
                       (SELECT COUNT(*) FROM follows WHERE target_id = \(bind: account)) AS followers,
                       (SELECT COUNT(*) FROM follows WHERE account_id = \(bind: account)) AS following
                """).first()
            return AccountCounts(statuses: try row?.decode(column: "statuses", as: Int.self) ?? 0,
                                 followers: try row?.decode(column: "followers", as: Int.self) ?? 0,
                                 following: try row?.decode(column: "following", as: Int.self) ?? 0)
        }
    }

    /// Sets whether follows need approval.
    public func setLocked(_ account: Account, _ locked: Bool) async throws {
        try await database.write { db in
            try await db.raw("UPDATE accounts SET locked = \(bind: locked ? 1 : 0) WHERE id = \(bind: account.id)").run()
        }
    }
}
