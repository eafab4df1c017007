import SQLKit

/// One search over the network for one member: people, posts, hashtags, newsgroup articles, and the
/// member's own mail and messenger messages. Each kind is one query in which the visibility rule is a
/// condition (`SearchVisibility`), so a page holds `limit` results the member may see and the next page
/// (by `offset` or `maxID`) starts exactly where it ended.
///
/// Text is matched as a substring in any script (`TextSearchIndex`): `평양냉면` inside `평양냉면이었습니다`.
/// Three characters or more go through the trigram index; one or two characters read the text of the
/// newest `SearchRules.shortQueryWindow` documents (`recentBound`).
public struct SearchService: Sendable {
    let database: any Database
    let clock: Clock
    let mail: MailService

    /// Active members whose username or display name contains the query (a username that starts with it
    /// first), leaving out anyone blocked either way. `following`: only members the searcher follows;
    /// `kind`: only members of that kind.
    public func accounts(_ query: SearchQuery, viewer: Account, following: Bool = false, kind: AccountKind? = nil) async throws -> [Account] {
        let index = TextSearchIndex(kind: "account", engine: database.engine)
        let name = query.text.hasPrefix("@") ? String(query.text.dropFirst()) : query.text
        guard !name.isEmpty else { return [] }
        let prefix = TextSearchIndex.escapeLike(name) + "%"
        let followed: SQLQueryString = following
            ? "AND a.id IN (SELECT target_id FROM follows WHERE account_id = \(bind: viewer.id))" : ""
        let ofKind: SQLQueryString = kind.map { "AND a.kind = \(bind: $0.rawValue)" } ?? ""
        return try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: AccountRow.joinedColumns) FROM accounts a
                WHERE a.status = 'active' AND \(SearchVisibility.notBlocked("a.id", viewer: viewer.id)) \(followed) \(ofKind)
                  AND (a.username_key LIKE \(bind: prefix) ESCAPE '\\' OR \(index.condition(idColumn: "a.id", query: name)))
                ORDER BY CASE WHEN a.username_key = \(bind: name) THEN 0 WHEN a.username_key LIKE \(bind: prefix) ESCAPE '\\' THEN 1 ELSE 2 END,
                  a.username_key LIMIT \(bind: query.limit) OFFSET \(bind: query.offset)
                """).all().map(AccountRow.decode)
        }
    }

    /// Posts (not reposts) containing the query in their text or content warning that the searcher may
    /// see, newest first. `author`: only this member's posts.
    public func statuses(_ query: SearchQuery, viewer account: Account, author: Int64? = nil) async throws -> [StatusView] {
        let engine = database.engine
        return try await database.read { db in
            let viewer = try await Viewer.load(account, now: clock.nowMilliseconds(), db: db, followingAmong: [])
            let (bounds, ascending) = query.bounds("d.doc_id")
            let only: SQLQueryString = author.map { "AND s.account_id = \(bind: $0)" } ?? ""
            let visible = SearchVisibility.statuses(viewer: account.id)
            let sql: SQLQueryString
            if query.isShort {
                let floor = try await Self.recentBound(kind: "post", db: db)
                sql = """
                    SELECT \(unsafeRaw: StatusRow.columns) FROM search_documents d JOIN statuses s ON s.id = d.doc_id
                    JOIN accounts a ON a.id = s.account_id
                    WHERE d.kind = 'post' AND d.doc_id >= \(bind: floor) AND \(bounds)
                      AND (\(Self.contains("d.body", query.text, engine)) OR \(Self.contains("d.subject", query.text, engine)))
                      AND \(visible) \(only)
                    \(query.window("d.doc_id", ascending: ascending))
                    """
            } else if engine == .sqlite {
                // The FTS5 rowid is the post's id: the index hands matches over newest first and the read
                // stops at the page's end, however many posts match.
                let (rowBounds, _) = query.bounds("f.rowid")
                sql = """
                    SELECT \(unsafeRaw: StatusRow.columns) FROM search_fts f JOIN search_documents d ON d.id = f.rowid
                    JOIN statuses s ON s.id = d.doc_id JOIN accounts a ON a.id = s.account_id
                    WHERE search_fts MATCH \(bind: Self.ftsPhrase(query.text, columns: ["subject", "body"])) AND \(rowBounds) AND d.kind = 'post'
                      AND \(visible) \(only)
                    \(query.window("f.rowid", ascending: ascending))
                    """
            } else {
                sql = """
                    SELECT \(unsafeRaw: StatusRow.columns) FROM search_documents d JOIN statuses s ON s.id = d.doc_id
                    JOIN accounts a ON a.id = s.account_id
                    WHERE d.kind = 'post' AND (d.body LIKE \(bind: query.likePattern) ESCAPE '\\' OR d.subject LIKE \(bind: query.likePattern) ESCAPE '\\')
                      AND \(bounds) AND \(visible) \(only)
                    \(query.window("d.doc_id", ascending: ascending))
                    """
            }
            var rows = try await db.raw(sql).all().map(StatusRow.decode)
            if ascending { rows.reverse() }
            return try await FeedService.views(rows, viewer: viewer, db: db)
        }
    }

    /// Hashtags that start with the query (a leading `#` is optional), most used first; only tags of
    /// public posts by active members count, so a followers-only post does not reveal its tags.
    public func hashtags(_ query: SearchQuery) async throws -> [String] {
        guard let tag = StatusText.validTag(query.text.hasPrefix("#") ? String(query.text.dropFirst()) : query.text) else { return [] }
        let prefix = TextSearchIndex.escapeLike(tag) + "%"
        return try await database.read { db in
            try await db.raw("""
                SELECT t.tag, COUNT(*) AS n FROM status_tags t JOIN statuses s ON s.id = t.status_id JOIN accounts a ON a.id = s.account_id
                WHERE t.tag LIKE \(bind: prefix) ESCAPE '\\' AND s.visibility = 'public' AND a.status = 'active'
                GROUP BY t.tag ORDER BY CASE WHEN t.tag = \(bind: tag) THEN 0 ELSE 1 END, n DESC, t.tag
                LIMIT \(bind: query.limit) OFFSET \(bind: query.offset)
                """).all().map { try $0.decode(column: "tag", as: String.self) }
        }
    }

    /// Published newsgroup articles whose author, subject or body contains the query, newest first
    /// (every member may read every group).
    public func articles(_ query: SearchQuery, viewer: Account) async throws -> [Article] {
        let index = TextSearchIndex(kind: "article", engine: database.engine)
        return try await database.read { db in
            let (bounds, ascending) = query.bounds("a.id")
            let floor: SQLQueryString = query.isShort ? "AND a.id >= \(bind: try await Self.recentBound(kind: "article", db: db))" : ""
            var rows = try await db.raw("""
                SELECT \(unsafeRaw: ArticleRow.columns) FROM articles a
                WHERE a.status = 'published' AND \(bounds) \(floor) AND \(index.condition(idColumn: "a.id", query: query.text))
                \(query.window("a.id", ascending: ascending))
                """).all().map(ArticleRow.decode)
            if ascending { rows.reverse() }
            return rows
        }
    }

    /// The searcher's own messenger messages (in conversations they are in) containing the query, newest
    /// first. One member's messages are few enough to read without an index.
    public func messages(_ query: SearchQuery, viewer: Account) async throws -> [Message] {
        try await database.read { db in
            let (bounds, ascending) = query.bounds("m.id")
            var rows = try await db.raw("""
                SELECT \(unsafeRaw: MessageRow.columns) FROM \(unsafeRaw: MessageRow.from)
                JOIN conversation_members cm ON cm.conversation_id = m.conversation_id AND cm.account_id = \(bind: viewer.id)
                WHERE \(bounds) AND m.text_folded LIKE \(bind: query.likePattern) ESCAPE '\\'
                \(query.window("m.id", ascending: ascending))
                """).all().map(MessageRow.decode)
            if ascending { rows.reverse() }
            return try await MessengerService.withAttachments(rows, db: db)
        }
    }

    /// The searcher's own mail whose sender, subject or text contains the query, newest first; none for a
    /// member who may not use mail.
    public func mail(_ query: SearchQuery, viewer: Account) async throws -> [MailEntry] {
        guard AccountService.mayUseMail(viewer, now: clock.nowMilliseconds()) else { return [] }
        return try await mail.search(query.text, limit: query.limit, offset: query.offset, of: viewer)
    }

    // MARK: Matching

    /// The smallest id among the newest `SearchRules.shortQueryWindow` documents of `kind` (0 when there
    /// are fewer): the floor of a short query's scan.
    static func recentBound(kind: String, db: any SQLDatabase) async throws -> Int64 {
        try await db.raw("""
            SELECT doc_id FROM search_documents WHERE kind = \(bind: kind) ORDER BY doc_id DESC LIMIT 1 OFFSET \(bind: SearchRules.shortQueryWindow - 1)
            """).first()?.decode(column: "doc_id", as: Int64.self) ?? 0
    }

    /// `column` contains `text` (already folded), read rather than looked up.
    static func contains(_ column: String, _ text: String, _ engine: DatabaseEngine) -> SQLQueryString {
        "\(unsafeRaw: engine == .sqlite ? "instr" : "strpos")(\(unsafeRaw: column), \(bind: text)) > 0"
    }

    /// An FTS5 query for `text` as a substring of any of `columns` (with the trigram tokenizer a quoted
    /// phrase matches as a substring).
    static func ftsPhrase(_ text: String, columns: [String]) -> String {
        "{\(columns.joined(separator: " "))} : \"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
