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
