import SQLKit

/// Who may see a status (Mastodon's names on the wire).
public enum Visibility: String, Sendable, CaseIterable {
    /// Everyone on the network, in the network and hashtag timelines too.
    case `public`
    /// Everyone on the network who looks at the profile or the thread, but not in the network and hashtag timelines.
    case unlisted
    /// Followers, and the members it mentions.
    case `private`
    /// Only the members it mentions.
    case direct

    public init?(api: String) {
        self.init(rawValue: api)
    }

    /// Seen by every member (the ones a repost may spread).
    public var isOpen: Bool { self == .public || self == .unlisted }
}

/// A post in the feed. A repost is a status of its own whose `reblogOf` names the original.
public struct Status: Sendable, Equatable {
    public let id: Int64
    public let author: Account
    public var text: String
    public var spoilerText: String
    public let visibility: Visibility
    /// ISO 639-1 code: the client's, else detected (`StatusLanguage`).
    public var language: String? = nil
    public let inReplyToID: Int64?
    public let inReplyToAccountID: Int64?
    public let reblogOfID: Int64?
    public let createdAt: Int64
    public var editedAt: Int64?
    public var repliesCount: Int
    public var reblogsCount: Int
    public var favouritesCount: Int
    /// Mastodon's `sensitive`: apps hide its photos until asked (a content warning implies it).
    public var sensitive = false
    /// Members it mentions, in the order the text names them.
    public var mentions: [Account] = []
    public var tags: [String] = []
    /// Attached photos, in the order they were given.
    public var media: [MediaAttachment] = []
    /// Emoji reactions, in the order of `FeedRules.reactions`, with how many members chose each.
    public var reactions: [Reaction] = []
    public var poll: Poll?
    /// Which of mentions, photos and reactions the store holds for it, read with the status itself
    /// (`StatusRow`), so a page asks for those only where there are some.
    var stored: StoredParts = .all

    struct StoredParts: OptionSet, Sendable, Equatable {
        let rawValue: Int
        static let mentions = StoredParts(rawValue: 1)
        static let media = StoredParts(rawValue: 2)
        static let reactions = StoredParts(rawValue: 4)
        static let poll = StoredParts(rawValue: 8)
        static let all: StoredParts = [.mentions, .media, .reactions, .poll]
    }

    public struct Reaction: Sendable, Equatable {
        public let emoji: String
        public let count: Int
    }
}

/// A status as one member sees it: the original behind a repost, and what this member has done with it.
public struct StatusView: Sendable, Equatable {
    public let status: Status
    /// For a repost: the reposted status as the viewer sees it.
    public let reblog: Box?
    public var favourited = false
    public var reblogged = false
    public var bookmarked = false
    /// The emoji this member reacted with.
    public var myReactions: Set<String> = []
    /// The options this member chose in the status's poll (positions), nil when they have not voted.
    public var pollVotes: [Int]?
    /// Who looks.
    public var viewerID: Int64 = 0
    /// The viewer pinned it to their profile (only ever their own).
    public var pinned = false
    /// The viewer muted its thread (no notifications from it).
    public var muted = false
    /// The viewer's `warn` filters that match it where it is shown.
    public var filterResults: [FilterResult] = []
    /// What this member may do with it (`Permissions.status`).
    public var permissions: StatusPermissions

    /// Indirection so a view can hold the view of its original.
    public final class Box: Sendable, Equatable {
        public let view: StatusView
        init(_ view: StatusView) { self.view = view }
        public static func == (a: Box, b: Box) -> Bool { a.view == b.view }
    }
}

/// One earlier version of an edited status.
public struct StatusEdit: Sendable, Equatable {
    public let text: String
    public let spoilerText: String
    public let createdAt: Int64
}

public enum FeedRules {
    public static let maxCharacters = 5_000
    public static let maxSpoilerCharacters = 500
    public static let maxMentions = 50
    public static let maxPageSize = 40
    /// The emoji members may react with: a small, friendly set that every platform draws.
    public static let reactions = ["👍", "❤️", "😂", "😮", "😢", "🙏"]
    public static let defaultPageSize = 20
    /// How long an `Idempotency-Key` names its status (Mastodon's hour).
    public static let idempotencyWindow: Int64 = 3_600_000
    /// A scheduled status is at least this far ahead (Mastodon's five minutes).
    public static let minScheduleDelay: Int64 = 300_000
}

/// Reading `statuses` joined with their authors; the one place that knows the column names.
enum StatusRow {
    static let columns = """
        s.id AS s_id, s.text AS s_text, s.spoiler_text AS s_spoiler, s.visibility AS s_visibility, s.language AS s_language,
        s.in_reply_to_id AS s_reply_id, s.in_reply_to_account_id AS s_reply_account, s.reblog_of_id AS s_reblog,
        s.created_at AS s_created, s.edited_at AS s_edited, s.replies_count AS s_replies, s.reblogs_count AS s_reblogs,
        s.favourites_count AS s_favourites, s.sensitive AS s_sensitive, \(storedParts) AS s_stored, \(AccountRow.joinedColumns)
        """
    /// `Status.StoredParts` as a number: a probe of each table's status_id index, much cheaper than a query.
    private static let storedParts = """
        (\(probe("status_mentions", .mentions)) + \(probe("media", .media)) + \(probe("status_reactions", .reactions)) + \(probe("polls", .poll)))
        """
    private static func probe(_ table: String, _ part: Status.StoredParts) -> String {
        "CASE WHEN EXISTS (SELECT 1 FROM \(table) p WHERE p.status_id = s.id) THEN \(part.rawValue) ELSE 0 END"
    }
    static let from = "statuses s JOIN accounts a ON a.id = s.account_id"

    static func decode(_ row: any SQLRow) throws -> Status {
        var status = Status(
            id: try row.decode(column: "s_id", as: Int64.self),
            author: try AccountRow.decode(row),
            text: try row.decode(column: "s_text", as: String.self),
            spoilerText: try row.decode(column: "s_spoiler", as: String.self),
            visibility: Visibility(rawValue: try row.decode(column: "s_visibility", as: String.self)) ?? .direct,
            language: try row.decode(column: "s_language", as: String?.self),
            inReplyToID: try row.decode(column: "s_reply_id", as: Int64?.self),
            inReplyToAccountID: try row.decode(column: "s_reply_account", as: Int64?.self),
            reblogOfID: try row.decode(column: "s_reblog", as: Int64?.self),
            createdAt: try row.decode(column: "s_created", as: Int64.self),
            editedAt: try row.decode(column: "s_edited", as: Int64?.self),
            repliesCount: try row.decode(column: "s_replies", as: Int.self),
            reblogsCount: try row.decode(column: "s_reblogs", as: Int.self),
            favouritesCount: try row.decode(column: "s_favourites", as: Int.self),
            stored: Status.StoredParts(rawValue: try row.decode(column: "s_stored", as: Int.self)))
        status.sensitive = try row.decode(column: "s_sensitive", as: Int.self) != 0
        return status
    }
}
