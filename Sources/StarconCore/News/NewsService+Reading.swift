import SQLKit

/// A thread's line in a group's list.
public struct NewsThread: Sendable, Equatable {
    public let threadID: Int64
    public let subject: String
    public let authorName: String
    public let lastNumber: Int64
    public let lastPostedAt: Int64
    public let articleCount: Int
    public let unread: Int
}

/// A group as a member sees it in the list.
public struct GroupSummary: Sendable {
    public let group: Newsgroup
    public let subscribed: Bool
    public let unread: Int
}

extension NewsService {
    /// Every group with the member's subscription and unread count.
    public func summaries(for account: Account) async throws -> [GroupSummary] {
        let groups = try await groups()
        return try await database.read { db in
            let rows = try await db.raw("SELECT group_id, subscribed, read_up_to FROM news_subscriptions WHERE account_id = \(bind: account.id)").all()
            var state: [Int64: (Bool, Int64)] = [:]
            for row in rows {
                state[try row.decode(column: "group_id", as: Int64.self)] =
                    (try row.decode(column: "subscribed", as: Int.self) != 0, try row.decode(column: "read_up_to", as: Int64.self))
            }
            var summaries: [GroupSummary] = []
            for group in groups {
                let (subscribed, readUpTo) = state[group.id] ?? (false, 0)
                let unread = try await Self.unread(account: account.id, groupID: group.id, readUpTo: readUpTo, db: db)
                summaries.append(GroupSummary(group: group, subscribed: subscribed, unread: unread))
            }
            return summaries
        }
    }

    /// Unread = articles above the member's watermark, less those read individually above it.
    static func unread(account: Int64, groupID: Int64, readUpTo: Int64, db: any SQLDatabase) async throws -> Int {
        try await db.raw("""
            SELECT COUNT(*) AS n FROM group_articles ga WHERE ga.group_id = \(bind: groupID) AND ga.number > \(bind: readUpTo)
            AND NOT EXISTS (SELECT 1 FROM news_reads r WHERE r.account_id = \(bind: account) AND r.article_id = ga.article_id)
            """).first()!.decode(column: "n", as: Int.self)
    }

    public func isSubscribed(_ account: Account, to group: Newsgroup) async throws -> Bool {
        try await database.read { db in
            try await db.raw("SELECT subscribed FROM news_subscriptions WHERE account_id = \(bind: account.id) AND group_id = \(bind: group.id)")
                .first()?.decode(column: "subscribed", as: Int.self) == 1
        }
    }

    public func setSubscribed(_ account: Account, group: Newsgroup, _ subscribed: Bool) async throws {
        try await database.write { db in
            try await db.raw("""
                INSERT INTO news_subscriptions (account_id, group_id, subscribed, read_up_to) VALUES (\(bind: account.id), \(bind: group.id), \(bind: subscribed ? 1 : 0), 0)
                ON CONFLICT (account_id, group_id) DO UPDATE SET subscribed = excluded.subscribed
                """).run()
        }
    }

    /// Marks every article of the group read (moves the watermark to the top).
    public func markGroupRead(_ account: Account, group: Newsgroup) async throws {
        try await database.write { db in
            try await db.raw("""
                INSERT INTO news_subscriptions (account_id, group_id, subscribed, read_up_to)
                VALUES (\(bind: account.id), \(bind: group.id), 0, (SELECT high FROM newsgroups WHERE id = \(bind: group.id)))
                ON CONFLICT (account_id, group_id) DO UPDATE SET read_up_to = excluded.read_up_to
                """).run()
            try await db.raw("""
                DELETE FROM news_reads WHERE account_id = \(bind: account.id) AND article_id IN
                    (SELECT article_id FROM group_articles WHERE group_id = \(bind: group.id))
                """).run()
        }
    }

    public func markRead(_ account: Account, articleIDs: [Int64]) async throws {
        guard !articleIDs.isEmpty else { return }
        try await database.write { db in
            for id in articleIDs {
                try await db.raw("INSERT INTO news_reads (account_id, article_id) VALUES (\(bind: account.id), \(bind: id)) ON CONFLICT DO NOTHING").run()
            }
        }
    }

    /// Threads of a group, most recent activity first; `before` is the last `lastNumber` of the previous page,
    /// `after` the first of the next one (the page of threads just newer than it).
    public func threads(in group: Newsgroup, for account: Account, before: Int64? = nil, after: Int64? = nil,
                        limit: Int = 30) async throws -> [NewsThread] {
        try await database.read { db in
            let readUpTo = try await db.raw("SELECT read_up_to FROM news_subscriptions WHERE account_id = \(bind: account.id) AND group_id = \(bind: group.id)")
                .first()?.decode(column: "read_up_to", as: Int64.self) ?? 0
            let rows = try await db.raw("""
                SELECT t.thread_id, t.subject, t.author_name, t.last_number, t.last_posted_at, t.article_count,
                    (SELECT COUNT(*) FROM group_articles ga JOIN articles a ON a.id = ga.article_id
                     WHERE ga.group_id = t.group_id AND a.thread_id = t.thread_id AND ga.number > \(bind: readUpTo)
                     AND NOT EXISTS (SELECT 1 FROM news_reads r WHERE r.account_id = \(bind: account.id) AND r.article_id = a.id)) AS unread
                FROM news_threads t WHERE t.group_id = \(bind: group.id) AND t.last_number < \(bind: before ?? Int64.max)
                  AND t.last_number > \(bind: after ?? 0)
                ORDER BY t.last_number \(unsafeRaw: after == nil ? "DESC" : "ASC") LIMIT \(bind: limit)
                """).all()
            return try (after == nil ? rows : rows.reversed()).map { row in
                NewsThread(
                    threadID: try row.decode(column: "thread_id", as: Int64.self),
                    subject: try row.decode(column: "subject", as: String.self),
                    authorName: try row.decode(column: "author_name", as: String.self),
                    lastNumber: try row.decode(column: "last_number", as: Int64.self),
                    lastPostedAt: try row.decode(column: "last_posted_at", as: Int64.self),
                    articleCount: try row.decode(column: "article_count", as: Int.self),
                    unread: try row.decode(column: "unread", as: Int.self))
            }
        }
    }

    /// Every published article of a thread within a group, oldest first, each with its number there.
    public func thread(_ threadID: Int64, in group: Newsgroup) async throws -> [NumberedArticle] {
        try await database.read { db in
            let rows = try await db.raw("""
                SELECT ga.number, \(unsafeRaw: ArticleRow.columns) FROM group_articles ga JOIN articles a ON a.id = ga.article_id
                WHERE ga.group_id = \(bind: group.id) AND a.thread_id = \(bind: threadID) ORDER BY a.id LIMIT 2000
                """).all()
            return try rows.map { row in
                let number = try row.decode(column: "number", as: Int64.self)
                return NumberedArticle(number: number, article: try ArticleRow.decode(row), xref: [(group.name, number)])
            }
        }
    }
}
