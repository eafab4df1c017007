import SQLKit

/// What apps show about the network as a whole: weekly activity, trending hashtags and statuses, the
/// directory and follow suggestions, all computed from this network's own recent activity.
public struct NetworkStats: Sendable {
    let database: any Database
    let clock: Clock

    public init(database: any Database, clock: Clock) {
        self.database = database
        self.clock = clock
    }

    public struct Week: Sendable, Equatable {
        /// Its first moment, in milliseconds.
        public let start: Int64
        public let statuses: Int
        public let logins: Int
        public let registrations: Int
    }

    static let week: Int64 = 7 * 86_400_000

    /// The last `weeks` weeks, the current one first (Mastodon's `instance/activity`).
    public func activity(weeks: Int = 12) async throws -> [Week] {
        let now = clock.nowMilliseconds()
        let start = now - Int64(weeks) * Self.week
        return try await database.read { db in
            func counts(_ query: SQLQueryString) async throws -> [Int64: Int] {
                var byWeek: [Int64: Int] = [:]
                for row in try await db.raw(query).all() {
                    let time = try row.decode(column: "t", as: Int64.self)
                    byWeek[(now - time) / Self.week, default: 0] += 1
                }
                return byWeek
            }
            let statuses = try await counts("SELECT created_at AS t FROM statuses WHERE created_at >= \(bind: start) AND reblog_of_id IS NULL")
            let registrations = try await counts("SELECT created_at AS t FROM accounts WHERE created_at >= \(bind: start)")
            let logins = try await counts("SELECT last_seen_at AS t FROM accounts WHERE last_seen_at >= \(bind: start)")
            return (0..<Int64(weeks)).map { index in
                Week(start: now - (index + 1) * Self.week, statuses: statuses[index] ?? 0, logins: logins[index] ?? 0,
                     registrations: registrations[index] ?? 0)
            }
        }
    }

    public struct TagUse: Sendable, Equatable {
        public let name: String
        /// Statuses and distinct authors per UTC day, today first (seven days).
        public let days: [TagDay]
    }

    /// Hashtags used by the most members in public statuses over the last seven UTC days.
    public func trendingTags(limit: Int) async throws -> [TagUse] {
        let now = clock.nowMilliseconds(), since = Self.historyStart(now: now)
        let uses = try await database.read { db in
            try await db.raw("""
                SELECT t.tag AS tag, s.account_id AS account, s.created_at AS created FROM status_tags t JOIN statuses s ON s.id = t.status_id
                WHERE s.created_at >= \(bind: since) AND s.visibility = 'public' ORDER BY s.id DESC LIMIT \(bind: Self.historyRows)
                """).all().map { (tag: try $0.decode(column: "tag", as: String.self), account: try $0.decode(column: "account", as: Int64.self),
                                  created: try $0.decode(column: "created", as: Int64.self)) }
        }
        var members: [String: Set<Int64>] = [:]
        for use in uses { members[use.tag, default: []].insert(use.account) }
        let history = Self.days(uses, now: now)
        let ranked = history.map { tag, days in (tag, members[tag]?.count ?? 0, days.map(\.uses).reduce(0, +)) }
            .sorted { ($0.1, $0.2, $1.0) > ($1.1, $1.2, $0.0) }
        return ranked.prefix(limit).map { TagUse(name: $0.0, days: history[$0.0]!) }
    }

    /// Public statuses of the last week with the most favourites and reposts, most first.
    public func trendingStatusIDs(limit: Int, offset: Int = 0) async throws -> [Int64] {
        let since = clock.nowMilliseconds() - Self.week
        return try await database.read { db in
            try await db.raw("""
                SELECT s.id FROM statuses s JOIN accounts a ON a.id = s.account_id
                WHERE s.created_at >= \(bind: since) AND s.visibility = 'public' AND s.reblog_of_id IS NULL AND a.status = 'active'
                  AND s.favourites_count + s.reblogs_count > 0
                ORDER BY s.favourites_count + s.reblogs_count DESC, s.id DESC LIMIT \(bind: limit) OFFSET \(bind: offset)
                """).all().map { try $0.decode(column: "id", as: Int64.self) }
        }
    }

    /// Discoverable active members, most recently active first (`order=active`) or newest first (`new`);
    /// `kind`: only members of that kind (people, officials, organisations…).
    public func directory(newest: Bool, kind: AccountKind? = nil, limit: Int, offset: Int) async throws -> [Account] {
        let order = newest ? "id DESC" : "COALESCE(last_seen_at, created_at) DESC, id DESC"
        let ofKind: SQLQueryString = kind.map { "AND kind = \(bind: $0.rawValue)" } ?? ""
        return try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: AccountRow.columns) FROM accounts WHERE status = 'active' AND discoverable = 1 \(ofKind)
                ORDER BY \(unsafeRaw: order) LIMIT \(bind: limit) OFFSET \(bind: offset)
                """).all().map(AccountRow.decode)
        }
    }

    /// Discoverable members `viewer` does not follow, has not blocked or muted, most followed first.
    public func suggestions(for viewer: Account, limit: Int) async throws -> [Account] {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: AccountRow.joinedColumns) FROM accounts a
                WHERE a.status = 'active' AND a.discoverable = 1 AND a.id <> \(bind: viewer.id)
                  AND NOT EXISTS (SELECT 1 FROM follows f WHERE f.account_id = \(bind: viewer.id) AND f.target_id = a.id)
                  AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.account_id = \(bind: viewer.id) AND b.target_id = a.id) OR (b.account_id = a.id AND b.target_id = \(bind: viewer.id)))
                  AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = \(bind: viewer.id) AND m.target_id = a.id)
                ORDER BY (SELECT COUNT(*) FROM follows f2 WHERE f2.target_id = a.id) DESC, a.id DESC LIMIT \(bind: limit)
                """).all().map(AccountRow.decode)
        }
    }
}
