import SQLKit

extension NewsService {
    /// Articles waiting for `group`'s approval, oldest first. (A crosspost that this group approved and that
    /// still waits for another group's is no longer in this group's queue.)
    public func pending(actor: Account, in group: Newsgroup) async throws -> [Article] {
        guard try await view(of: group, viewer: actor).permissions.moderate else { throw CoreError.forbidden }
        return try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: ArticleRow.columns) FROM article_approvals w JOIN articles a ON a.id = w.article_id
                WHERE w.group_id = \(bind: group.id) AND w.approved_at IS NULL AND a.status = 'pending'
                ORDER BY a.id LIMIT 500
                """).all().map(ArticleRow.decode)
        }
    }

    /// Approves or rejects a pending article for the moderated groups `actor` moderates among those it waits
    /// for (staff moderate them all). Each moderated group approves for itself: the article is published,
    /// in all its groups at once, only when the last of them has approved, so moderating one group never
    /// lets anyone publish into another. One rejection rejects the article, since it can no longer appear
    /// everywhere it was posted to. Returns the article as it now is (still pending while others must approve).
    public func decide(actor: Account, articleID: Int64, approve: Bool) async throws -> Article {
        let now = clock.nowMilliseconds()
        return try await database.write { db in
            guard let article = try await Self.article(id: articleID, db: db), article.status == .pending else { throw CoreError.notFound }
            var groups: [Newsgroup] = []
            for name in article.newsgroups.split(separator: ",") {
                if let group = try await Self.group(named: String(name), db: db) { groups.append(group) }
            }
            guard try await Self.permissions(article, viewer: actor, db: db).approve else { throw CoreError.forbidden }
            // Which of the groups it waits for are this moderator's to approve for.
            let awaiting = try await db.raw("""
                SELECT group_id FROM article_approvals WHERE article_id = \(bind: articleID) AND approved_at IS NULL
                """).all().map { try $0.decode(column: "group_id", as: Int64.self) }
            // Nothing awaited (every moderated group approved, or the groups stopped being moderated): the
            // moderator of any of its groups may publish it.
            let candidates = awaiting.isEmpty ? groups.map(\.id) : awaiting
            var mine: [Int64] = []
            for groupID in candidates {
                var moderates = actor.isModerator
                if !moderates { moderates = try await Self.isGroupModerator(actor.id, groupID, db: db) }
                if moderates { mine.append(groupID) }
            }
            guard !mine.isEmpty else { throw CoreError.forbidden }
            let names = groups.filter { mine.contains($0.id) }.map(\.name).joined(separator: ",")
            if approve {
                if !awaiting.isEmpty {
                    try await db.raw("""
                        UPDATE article_approvals SET approved_by = \(bind: actor.id), approved_at = \(bind: now)
                        WHERE article_id = \(bind: articleID) AND group_id IN (\(SQLList(mine.map { SQLBind($0) })))
                        """).run()
                }
                if awaiting.isEmpty || mine.count == awaiting.count {
                    try await publishApproved(articleID: articleID, groups: groups, db: db)
                }
            } else {
                try await db.raw("UPDATE articles SET status = 'rejected' WHERE id = \(bind: articleID)").run()
            }
            try await audit.record(actor: actor.id, action: approve ? "article.approve" : "article.reject", target: article.messageID,
                                   detail: names, db: db)
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
