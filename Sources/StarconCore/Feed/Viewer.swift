import SQLKit

/// What the store knows about the member looking: whom they follow, and who is blocked or muted either
/// way. Loaded once per request, so a page of statuses is filtered without a query per status.
struct Viewer: Sendable {
    let account: Account
    /// `AccountService.mayAct` at the time of loading: whether any action is offered at all.
    let mayAct: Bool
    /// When it was loaded: the time a page is read at (a poll has ended or not).
    let now: Int64
    /// Followed members: all of them, or, when `followingKnownFor` is set, those among its ids.
    private(set) var following: Set<Int64>
    /// Members this one blocked, or who blocked this one: they see nothing of each other.
    let blockedEitherWay: Set<Int64>
    let muted: Set<Int64>
    /// Members of this one's exclusive lists: their statuses and reposts stay out of home (Mastodon 4.2).
    let homeExcluded: Set<Int64>
    /// The members whose follow state `following` holds, when it does not hold everyone's. A timeline page
    /// asks about the twenty or so authors on it, not the hundreds the member follows.
    private(set) var followingKnownFor: Set<Int64>?

    /// `followingAmong`: only these members' follow state is read (nil: everyone's).
    static func load(_ account: Account, now: Int64, db: any SQLDatabase, followingAmong candidates: Set<Int64>? = nil) async throws -> Viewer {
        // One query for blocks either way (b), mutes (m) and, unless only some are asked for, follows (f).
        var query: SQLQueryString = """
            SELECT 'b' AS kind, target_id AS id FROM blocks WHERE account_id = \(bind: account.id)
            UNION ALL SELECT 'b', account_id FROM blocks WHERE target_id = \(bind: account.id)
            UNION ALL SELECT 'm', target_id FROM mutes WHERE account_id = \(bind: account.id)
            UNION ALL SELECT 'x', m.account_id FROM lists l JOIN list_members m ON m.list_id = l.id
                WHERE l.account_id = \(bind: account.id) AND l.exclusive = 1
            """
        if candidates == nil { query = query + " UNION ALL SELECT 'f', target_id FROM follows WHERE account_id = \(bind: account.id)" }
        let ids = try await FeedService.idsByKind(query, db: db)
        var viewer = Viewer(account: account, mayAct: AccountService.mayAct(account, now: now), now: now, following: ids["f"] ?? [], blockedEitherWay: ids["b"] ?? [], muted: ids["m"] ?? [], homeExcluded: ids["x"] ?? [],
                            followingKnownFor: candidates == nil ? nil : [])
        if let candidates { viewer = try await viewer.knowingFollows(of: candidates, db: db) }
        return viewer
    }

    /// This viewer, sure to know whether it follows each of `members`.
    func knowingFollows(of members: Set<Int64>, db: any SQLDatabase) async throws -> Viewer {
        guard let known = followingKnownFor else { return self }
        let missing = members.subtracting(known).subtracting([account.id])
        guard !missing.isEmpty else { return self }
        var viewer = self
        let rows = try await db.raw("""
            SELECT target_id FROM follows WHERE account_id = \(bind: account.id) AND target_id IN (\(FeedService.list(missing)))
            """).all()
        for row in rows { viewer.following.insert(try row.decode(column: "target_id", as: Int64.self)) }
        viewer.followingKnownFor = known.union(missing)
        return viewer
    }

    /// Whether this viewer follows `member`; asking about one it was not loaded for is a bug.
    func follows(_ member: Int64) -> Bool {
        assert(followingKnownFor?.contains(member) ?? true, "follow state of \(member) was not loaded")
        return following.contains(member)
    }

    /// The visibility rule, in one place for every surface.
    func canSee(_ status: Status, mentioned: [Int64]) -> Bool {
        if status.author.id == account.id { return true }
        guard status.author.status == .active, !blockedEitherWay.contains(status.author.id) else { return false }
        switch status.visibility {
        // A limited member's public posts reach only their followers (and whom they mention).
        case .public, .unlisted: return !status.author.limited || follows(status.author.id) || mentioned.contains(account.id)
        case .private: return follows(status.author.id) || mentioned.contains(account.id)
        case .direct: return mentioned.contains(account.id)
        }
    }

    /// What this viewer may do with a status it can see (`original`: the reposted status, for a repost).
    func permissions(_ status: Status, original: Status?) -> StatusPermissions {
        Permissions.status(status, original: original, viewer: account, mayAct: mayAct, mayReport: Permissions.mayReport(account, now: now))
    }

    /// In timelines, muted members are left out too (but their statuses stay reachable by link).
    func wantsInTimeline(_ status: Status) -> Bool {
        !muted.contains(status.author.id)
    }
}
