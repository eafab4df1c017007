import SQLKit

/// One line of the overview database (RFC 3977 §8.1): the fields OVER sends, read from indexed columns,
/// never by parsing an article.
public struct OverviewEntry: Sendable, Equatable {
    public let number: Int64
    public let articleID: Int64
    public let subject: String
    public let fromHeader: String
    public let postedAt: Int64
    public let messageID: String
    public let references: String
    public let newsgroups: String
    public let bytes: Int
    public let lines: Int

    init(number: Int64, articleID: Int64, subject: String, fromHeader: String, postedAt: Int64, messageID: String,
         references: String, newsgroups: String, bytes: Int, lines: Int) {
        (self.number, self.articleID, self.subject, self.fromHeader, self.postedAt) = (number, articleID, subject, fromHeader, postedAt)
        (self.messageID, self.references, self.newsgroups, self.bytes, self.lines) = (messageID, references, newsgroups, bytes, lines)
    }

    /// The entry of an article reached by message-id, outside any group (number 0, as RFC 3977 §8.3.2 gives it).
    public init(article: Article, number: Int64 = 0) {
        self.init(number: number, articleID: article.id, subject: article.subject, fromHeader: article.fromHeader,
                  postedAt: article.postedAt, messageID: article.messageID, references: article.references,
                  newsgroups: article.newsgroups, bytes: article.bytes, lines: article.lines)
    }
}

extension NewsService {
    /// Rows per read of an OVER range. Each chunk is its own short read, so a long range never holds a reader
    /// connection for its whole length: a one-row read (GROUP, ARTICLE) queued on the same reader waits for one
    /// chunk, not for 1,000 rows.
    public static let overviewChunkRows = 100

    /// OVER's lines for numbers `low`...`high` of a group: `number TAB fields`, the fields as they were formatted
    /// when the article was published. Range reads of the (group_id, number) key, `chunk` rows at a time; the
    /// article is not read. Chunks are separate reads: an article published meanwhile may appear at the end,
    /// as it would have for a request a moment later.
    public func overviewLines(in group: Newsgroup, from low: Int64, to high: Int64, limit: Int,
                              chunk: Int = NewsService.overviewChunkRows) async throws -> [String] {
        var lines: [String] = []
        var next = low
        while lines.count < limit, next <= high {
            let want = min(chunk, limit - lines.count)
            let part = try await overviewChunk(in: group, from: next, to: high, limit: want)
            lines.append(contentsOf: part.lines)
            guard part.lines.count == want, let last = part.last, last < high else { break }
            next = last + 1
        }
        return lines
    }

    private func overviewChunk(in group: Newsgroup, from low: Int64, to high: Int64, limit: Int) async throws -> (lines: [String], last: Int64?) {
        try await database.read { db in
            let rows = try await db.raw("""
                SELECT number, overview, article_id FROM group_articles
                WHERE group_id = \(bind: group.id) AND number >= \(bind: low) AND number <= \(bind: high)
                ORDER BY number LIMIT \(bind: limit)
                """).all()
            var lines: [String] = []
            lines.reserveCapacity(rows.count)
            var last: Int64?
            for row in rows {
                let number = try row.decode(column: "number", as: Int64.self)
                var fields = try row.decode(column: "overview", as: String?.self)
                if fields == nil { fields = try await overviewFields(articleID: try row.decode(column: "article_id", as: Int64.self), db: db) }
                lines.append("\(number)\t\(fields ?? "")")
                last = number
            }
            return (lines, last)
        }
    }

    /// OVER by message-id: number 0 (RFC 3977 §8.3.2) and the article's fields, or nil when it is not published.
    public func overviewLine(messageID: String) async throws -> String? {
        try await database.read { db in
            guard let row = try await db.raw("""
                SELECT ga.overview, a.id FROM articles a JOIN group_articles ga ON ga.article_id = a.id
                WHERE a.message_id = \(bind: messageID) AND a.status = 'published' LIMIT 1
                """).first() else { return nil }
            var fields = try row.decode(column: "overview", as: String?.self)
            if fields == nil { fields = try await overviewFields(articleID: try row.decode(column: "id", as: Int64.self), db: db) }
            return fields.map { "0\t\($0)" }
        }
    }

    /// Formats the overview fields of articles published before overview lines were stored (migration 8), in
    /// batches, so that OVER never has to. Runs when the store is opened; does nothing once all are filled.
    public func fillMissingOverviews(batch: Int = 500) async throws {
        while true {
            let filled = try await database.write { db in
                let ids = try await db.raw("SELECT DISTINCT article_id FROM group_articles WHERE overview IS NULL LIMIT \(bind: batch)")
                    .all().map { try $0.decode(column: "article_id", as: Int64.self) }
                for id in ids {
                    guard let fields = try await overviewFields(articleID: id, db: db) else { continue }
                    try await db.raw("UPDATE group_articles SET overview = \(bind: fields) WHERE article_id = \(bind: id)").run()
                }
                return ids.count
            }
            if filled < batch { return }
        }
    }

    private func overviewFields(articleID: Int64, db: any SQLDatabase) async throws -> String? {
        guard let article = try await Self.article(id: articleID, db: db) else { return nil }
        let xref = try await Self.xref(articleID: articleID, db: db)
        return ArticleFormatter.overviewFields(article, bytes: article.bytes, xref: xref, domain: domain)
    }

    /// HDR's view of articles `low`...`high`: every field it may ask for is a column.
    public func overview(in group: Newsgroup, from low: Int64, to high: Int64, limit: Int) async throws -> [OverviewEntry] {
        try await database.read { db in
            try await db.raw("""
                SELECT ga.number, a.id, a.subject, a.from_header, a.posted_at, a.message_id, a.references_header, a.newsgroups,
                    a.bytes, a.lines
                FROM group_articles ga JOIN articles a ON a.id = ga.article_id
                WHERE ga.group_id = \(bind: group.id) AND ga.number >= \(bind: low) AND ga.number <= \(bind: high)
                ORDER BY ga.number LIMIT \(bind: limit)
                """).all().map { row in
                    OverviewEntry(
                        number: try row.decode(column: "number", as: Int64.self),
                        articleID: try row.decode(column: "id", as: Int64.self),
                        subject: try row.decode(column: "subject", as: String.self),
                        fromHeader: try row.decode(column: "from_header", as: String.self),
                        postedAt: try row.decode(column: "posted_at", as: Int64.self),
                        messageID: try row.decode(column: "message_id", as: String.self),
                        references: try row.decode(column: "references_header", as: String.self),
                        newsgroups: try row.decode(column: "newsgroups", as: String.self),
                        bytes: try row.decode(column: "bytes", as: Int.self),
                        lines: try row.decode(column: "lines", as: Int.self))
                }
        }
    }
}
