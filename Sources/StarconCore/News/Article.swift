/// A newsgroup article as stored: one row, whatever the number of groups it was posted to.
public struct Article: Sendable, Equatable {
    public let id: Int64
    public let messageID: String
    public let authorID: Int64
    /// The From header as it goes on the wire (`=?utf-8?B?…?= <kim@starcon.local>`).
    public let fromHeader: String
    public let authorName: String
    /// Decoded Unicode.
    public let subject: String
    /// The Newsgroups header: every group it was posted to, comma-separated.
    public let newsgroups: String
    /// Message-ids of the ancestors, oldest first, space-separated.
    public let references: String
    public let parentID: Int64?
    public let threadID: Int64
    /// UTF-8 text with LF line endings.
    public let body: String
    /// Other headers the poster sent that we keep (User-Agent, Organization, X-*), CRLF-free `Name: value` lines.
    public let extraHeaders: [String]
    public let postedAt: Int64
    public let bytes: Int
    public let lines: Int
    public let status: ArticleStatus
}

public enum ArticleStatus: String, Sendable, Codable {
    case published, pending, rejected, cancelled
}

/// An article's place in one group.
public struct NumberedArticle: Sendable, Equatable {
    public let number: Int64
    public let article: Article
    /// `group:number` for every group the article is in (the Xref header).
    public let xref: [(group: String, number: Int64)]

    public static func == (a: NumberedArticle, b: NumberedArticle) -> Bool {
        a.number == b.number && a.article == b.article && a.xref.map { "\($0.group):\($0.number)" } == b.xref.map { "\($0.group):\($0.number)" }
    }
}

/// What a member submits, from a newsreader or the web.
public struct ArticleDraft: Sendable {
    public var newsgroups: [String]
    public var subject: String
    public var body: String
    /// Ancestors' message-ids, oldest first.
    public var references: [String]
    /// A message-id the client chose (newsreaders may); nil lets the server make one.
    public var messageID: String?
    public var extraHeaders: [String]

    public init(newsgroups: [String], subject: String, body: String, references: [String] = [], messageID: String? = nil,
                extraHeaders: [String] = []) {
        self.newsgroups = newsgroups
        self.subject = subject
        self.body = body
        self.references = references
        self.messageID = messageID
        self.extraHeaders = extraHeaders
    }
}

public enum ArticleRules {
    public static let maxSubjectLength = 300
    public static let maxBodyBytes = 500_000
    public static let maxGroupsPerArticle = 10
    public static let maxReferences = 50
}
