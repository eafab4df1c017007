import SQLKit

/// Followed hashtags: their public statuses reach the member's home timeline (`HomeFeed.tagFanOut`).
public struct TagInfo: Sendable, Equatable {
    public let name: String
    public let following: Bool

    public init(name: String, following: Bool) {
        self.name = name
        self.following = following
    }
}

extension FeedService {
    public static let maxFollowedTags = 100

    /// A hashtag's normalised name, or 422 for one that is not a hashtag.
    static func tagName(_ name: String) throws -> String {
        guard let tag = StatusText.validTag(name) else { throw CoreError.invalid("tag_invalid", field: "name") }
        return tag
    }

    public func tag(_ name: String, viewer: Account) async throws -> TagInfo {
        let tag = try Self.tagName(name)
        return try await database.read { db in
            TagInfo(name: tag, following: try await db.raw("""
                SELECT 1 AS x FROM tag_follows WHERE account_id = \(bind: viewer.id) AND tag = \(bind: tag)
                """).first() != nil)
        }
    }

    public func followTag(_ name: String, by actor: Account) async throws -> TagInfo {
        let tag = try Self.tagName(name)
        let now = clock.nowMilliseconds()
        try AccountService.ensureMayAct(actor, now: now)
        try await database.write { db in
            let count = try await db.raw("SELECT COUNT(*) AS n FROM tag_follows WHERE account_id = \(bind: actor.id)").first()?.decode(column: "n", as: Int.self) ?? 0
            guard count < Self.maxFollowedTags else { throw CoreError.invalid("tag_follow_limit", field: "name") }
            try await db.raw("""
                INSERT INTO tag_follows (account_id, tag, created_at) VALUES (\(bind: actor.id), \(bind: tag), \(bind: now)) ON CONFLICT DO NOTHING
                """).run()
        }
        return TagInfo(name: tag, following: true)
    }

    public func unfollowTag(_ name: String, by actor: Account) async throws -> TagInfo {
        let tag = try Self.tagName(name)
        try await database.write { db in
            try await db.raw("DELETE FROM tag_follows WHERE account_id = \(bind: actor.id) AND tag = \(bind: tag)").run()
        }
        return TagInfo(name: tag, following: false)
    }

    /// The hashtags `actor` follows, most recent first, with the follow's time as the page cursor.
    public func followedTags(of actor: Account, before: Int64?, limit: Int) async throws -> [(tag: String, cursor: Int64)] {
        try await database.read { db in
            try await db.raw("""
                SELECT tag, created_at FROM tag_follows WHERE account_id = \(bind: actor.id) AND created_at < \(bind: before ?? Int64.max)
                ORDER BY created_at DESC LIMIT \(bind: limit)
                """).all().map { (try $0.decode(column: "tag", as: String.self), try $0.decode(column: "created_at", as: Int64.self)) }
        }
    }

    /// Hashtags in use that start with `prefix` (for search and completion), most used first.
    public func tags(startingWith prefix: String, limit: Int) async throws -> [String] {
        guard let tag = StatusText.validTag(prefix) else { return [] }
        let pattern = tag.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
        return try await database.read { db in
            try await db.raw("""
                SELECT tag, COUNT(*) AS n FROM status_tags WHERE tag LIKE \(bind: pattern) ESCAPE '\\' GROUP BY tag ORDER BY n DESC, tag LIMIT \(bind: limit)
                """).all().map { try $0.decode(column: "tag", as: String.self) }
        }
    }
}
