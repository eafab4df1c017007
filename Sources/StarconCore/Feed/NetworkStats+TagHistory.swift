import SQLKit

/// A hashtag's use on one UTC day: Mastodon's Tag `history` entry.
public struct TagDay: Sendable, Equatable {
    /// The day's first moment (UTC midnight), in milliseconds.
    public let day: Int64
    /// Public statuses with the tag that day.
    public let uses: Int
    /// Distinct members who posted them.
    public let accounts: Int
}

/// Tag history, counted from this network's public statuses: the same numbers for `/api/v1/tags/:name`,
/// trends and search, seven UTC days, today first.
extension NetworkStats {
    static let day: Int64 = 86_400_000
    static let historyDays = 7
    /// Statuses read per question at most (newest first), so a very busy tag costs a bounded read.
    static let historyRows = 5_000

    /// The history of each of `tags` (normalised names); a tag nobody used this week has seven zero days.
    public func tagHistory(_ tags: [String]) async throws -> [String: [TagDay]] {
        let wanted = Array(Set(tags))
        guard !wanted.isEmpty else { return [:] }
        let now = clock.nowMilliseconds()
        let since = Self.historyStart(now: now)
        let uses = try await database.read { db in
            try await db.raw("""
                SELECT t.tag AS tag, s.account_id AS account, s.created_at AS created FROM status_tags t JOIN statuses s ON s.id = t.status_id
                WHERE t.tag IN (\(SQLList(wanted.map { SQLBind($0) }))) AND s.created_at >= \(bind: since) AND s.visibility = 'public'
                ORDER BY t.status_id DESC LIMIT \(bind: Self.historyRows)
                """).all().map { (tag: try $0.decode(column: "tag", as: String.self), account: try $0.decode(column: "account", as: Int64.self),
                                  created: try $0.decode(column: "created", as: Int64.self)) }
        }
        let days = Self.days(uses, now: now)
        return Dictionary(uniqueKeysWithValues: wanted.map { ($0, days[$0] ?? Self.emptyHistory(now: now)) })
    }

    /// UTC midnight six days before today's.
    static func historyStart(now: Int64) -> Int64 {
        (now / day - Int64(historyDays - 1)) * day
    }

    static func emptyHistory(now: Int64) -> [TagDay] {
        (0..<historyDays).map { TagDay(day: (now / day - Int64($0)) * day, uses: 0, accounts: 0) }
    }

    /// Counts per tag and UTC day, today first.
    static func days(_ uses: [(tag: String, account: Int64, created: Int64)], now: Int64) -> [String: [TagDay]] {
        let today = now / day
        var byTag: [String: [Int64: (uses: Int, accounts: Set<Int64>)]] = [:]
        for use in uses {
            let index = today - use.created / day
            guard index >= 0, index < Int64(historyDays) else { continue }
            byTag[use.tag, default: [:]][index, default: (0, [])].uses += 1
            byTag[use.tag, default: [:]][index, default: (0, [])].accounts.insert(use.account)
        }
        return byTag.mapValues { days in
            (0..<Int64(historyDays)).map { index in
                TagDay(day: (today - index) * day, uses: days[index]?.uses ?? 0, accounts: days[index]?.accounts.count ?? 0)
            }
        }
    }
}
