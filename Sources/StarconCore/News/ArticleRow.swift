import SQLKit

/// Reading `articles` rows.
enum ArticleRow {
    static let columns = """
        a.id, a.message_id, a.author_id, a.from_header, a.author_name, a.subject, a.newsgroups, a.references_header,
        a.parent_id, a.thread_id, a.body, a.extra_headers, a.posted_at, a.bytes, a.lines, a.status
        """

    static func decode(_ row: any SQLRow) throws -> Article {
        let extra = try row.decode(column: "extra_headers", as: String.self)
        return Article(
            id: try row.decode(column: "id", as: Int64.self),
            messageID: try row.decode(column: "message_id", as: String.self),
            authorID: try row.decode(column: "author_id", as: Int64.self),
            fromHeader: try row.decode(column: "from_header", as: String.self),
            authorName: try row.decode(column: "author_name", as: String.self),
            subject: try row.decode(column: "subject", as: String.self),
            newsgroups: try row.decode(column: "newsgroups", as: String.self),
            references: try row.decode(column: "references_header", as: String.self),
            parentID: try row.decode(column: "parent_id", as: Int64?.self),
            threadID: try row.decode(column: "thread_id", as: Int64.self),
            body: try row.decode(column: "body", as: String.self),
            extraHeaders: extra.isEmpty ? [] : extra.split(separator: "\n").map(String.init),
            postedAt: try row.decode(column: "posted_at", as: Int64.self),
            bytes: try row.decode(column: "bytes", as: Int.self),
            lines: try row.decode(column: "lines", as: Int.self),
            status: ArticleStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .cancelled)
    }
}

enum NewsgroupRow {
    static let columns = """
        g.id, g.name, g.description, g.posting, g.high, g.article_count, g.created_by, g.created_at,
        (SELECT MIN(number) FROM group_articles m WHERE m.group_id = g.id) AS low
        """

    static func decode(_ row: any SQLRow) throws -> Newsgroup {
        let high = try row.decode(column: "high", as: Int64.self)
        return Newsgroup(
            id: try row.decode(column: "id", as: Int64.self),
            name: try row.decode(column: "name", as: String.self),
            description: try row.decode(column: "description", as: String.self),
            posting: PostingPolicy(rawValue: try row.decode(column: "posting", as: String.self)) ?? .readonly,
            high: high,
            low: try row.decode(column: "low", as: Int64?.self) ?? high + 1,
            articleCount: try row.decode(column: "article_count", as: Int.self),
            createdBy: try row.decode(column: "created_by", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }
}
