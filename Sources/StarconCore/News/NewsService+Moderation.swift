import SQLKit

extension NewsService {
    /// Articles waiting for approval in `group`, oldest first.
    public func pending(actor: Account, in group: Newsgroup) async throws -> [Article] {
        guard try await view(of: group, viewer: actor).permissions.moderate else { throw CoreError.forbidden }
        return try await database.read { db in
            // The Newsgroups column is a comma-separated list; fencing it with commas matches whole names only.
            try await db.raw("""
                SELECT \(unsafeRaw: ArticleRow.columns) FROM articles a
                WHERE a.status = 'pending' AND (',' || a.newsgroups || ',') LIKE \(bind: "%," + group.name + ",%")
                ORDER BY a.id LIMIT 500
                """).all().map(ArticleRow.decode)
        }
    }

    /// Approves (publishes in every group it names) or rejects a pending article.
    public func decide(actor: Account, articleID: Int64, approve: Bool) async throws -> Article {
        try await database.write { db in
            guard let article = try await Self.article(id: articleID, db: db), article.status == .pending else { throw CoreError.notFound }
            var groups: [Newsgroup] = []
            for name in article.newsgroups.split(separator: ",") {
                if let group = try await Self.group(named: String(name), db: db) { groups.append(group) }
            }
            guard try await Self.permissions(article, viewer: actor, db: db).approve else { throw CoreError.forbidden }
            if approve {
                try await publishApproved(articleID: articleID, groups: groups, db: db)
            } else {
                try await db.raw("UPDATE articles SET status = 'rejected' WHERE id = \(bind: articleID)").run()
            }
            try await audit.record(actor: actor.id, action: approve ? "article.approve" : "article.reject", target: article.messageID, db: db)
            return try await Self.article(id: articleID, db: db)!
        }
    }

    /// Cancels (deletes) an article: its author may, and so may the moderators of its groups and staff.
    /// Its numbers are retired, never given to another article.
    public func cancel(actor: Account, articleID: Int64) async throws {
        try await database.write { db in
            guard let article = try await Self.article(id: articleID, db: db), article.status == .published || article.status == .pending else {
                throw CoreError.notFound
            }
            guard try await Self.permissions(article, viewer: actor, db: db).cancel else { throw CoreError.forbidden }
            let places = try await db.raw("SELECT group_id, number FROM group_articles WHERE article_id = \(bind: articleID)").all()
                .map { (try $0.decode(column: "group_id", as: Int64.self), try $0.decode(column: "number", as: Int64.self)) }
            try await db.raw("DELETE FROM group_articles WHERE article_id = \(bind: articleID)").run()
            for (groupID, _) in places {
                try await db.raw("UPDATE newsgroups SET article_count = article_count - 1 WHERE id = \(bind: groupID)").run()
                try await refreshThread(groupID: groupID, threadID: article.threadID, db: db)
            }
            try await db.raw("UPDATE articles SET status = 'cancelled' WHERE id = \(bind: articleID)").run()
            try await audit.record(actor: actor.id, action: "article.cancel", target: article.messageID, db: db)
        }
    }

    /// Recomputes a thread's summary in a group after an article left it.
    func refreshThread(groupID: Int64, threadID: Int64, db: any SQLDatabase) async throws {
        let row = try await db.raw("""
            SELECT COUNT(*) AS n, MAX(ga.number) AS last, MAX(a.posted_at) AS at FROM group_articles ga JOIN articles a ON a.id = ga.article_id
            WHERE ga.group_id = \(bind: groupID) AND a.thread_id = \(bind: threadID)
            """).first()!
        let count = try row.decode(column: "n", as: Int.self)
        if count == 0 {
            try await db.raw("DELETE FROM news_threads WHERE group_id = \(bind: groupID) AND thread_id = \(bind: threadID)").run()
        } else {
            try await db.raw("""
                UPDATE news_threads SET article_count = \(bind: count), last_number = \(bind: try row.decode(column: "last", as: Int64.self)),
                    last_posted_at = \(bind: try row.decode(column: "at", as: Int64.self))
                WHERE group_id = \(bind: groupID) AND thread_id = \(bind: threadID)
                """).run()
        }
    }
}
