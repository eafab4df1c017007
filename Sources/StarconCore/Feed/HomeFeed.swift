import SQLKit

/// Keeps the `home_feed` table: each member's home timeline, written when a status is posted (fan-out on
/// write), so reading a home page costs one index range however large the network grows. Followed
/// accounts' older statuses beyond what was fanned out are read the slow way (`FeedService.timeline`).
enum HomeFeed {
    /// How many of an account's latest statuses a new follower gets in their home timeline at once.
    static let backfill = 40
    /// Rows kept per member (as Mastodon keeps 400 per home feed in Redis): the first 40 pages of 20. Older
    /// history is read from `statuses`, as for accounts followed later, so trimming loses nothing.
    public static let depth = 800

    /// Puts a new status (or repost) in its author's home and in every follower's. Direct statuses stay
    /// out of home timelines.
    static func fanOut(statusID: Int64, author: Int64, visibility: Visibility, outbox: EventOutbox, db: any SQLDatabase) async throws {
        guard visibility != .direct else { return }
        let followers = try await db.raw("SELECT account_id FROM follows WHERE target_id = \(bind: author)").all()
            .map { try $0.decode(column: "account_id", as: Int64.self) }
        outbox.add(Event(to: followers + [author], .feed(.home(statusID: statusID))))
        try await db.raw("""
            INSERT INTO home_feed (account_id, status_id, author_id)
            SELECT account_id, \(bind: statusID), \(bind: author) FROM follows WHERE target_id = \(bind: author)
            UNION ALL SELECT \(bind: author), \(bind: statusID), \(bind: author)
            """).run()
    }

    /// Puts a new public status in the home of every member who follows one of its hashtags (its tags are
    /// stored by then).
    static func tagFanOut(statusID: Int64, author: Int64, outbox: EventOutbox, db: any SQLDatabase) async throws {
        let reached = try await db.raw("""
            INSERT INTO home_feed (account_id, status_id, author_id)
            SELECT DISTINCT f.account_id, \(bind: statusID), \(bind: author) FROM tag_follows f JOIN status_tags t ON t.tag = f.tag
            WHERE t.status_id = \(bind: statusID) AND f.account_id <> \(bind: author)
            ON CONFLICT DO NOTHING RETURNING account_id
            """).all().map { try $0.decode(column: "account_id", as: Int64.self) }
        if !reached.isEmpty { outbox.add(Event(to: reached, .feed(.home(statusID: statusID)))) }
    }

    /// A direct status reaches the home of its author and of the members it mentions, as on Mastodon.
    static func directFanOut(statusID: Int64, author: Int64, recipients: [Int64], outbox: EventOutbox, db: any SQLDatabase) async throws {
        let everyone = Array(Set(recipients + [author]))
        for account in everyone {
            try await db.raw("""
                INSERT INTO home_feed (account_id, status_id, author_id) VALUES (\(bind: account), \(bind: statusID), \(bind: author)) ON CONFLICT DO NOTHING
                """).run()
        }
        outbox.add(Event(to: everyone, .feed(.home(statusID: statusID))))
    }

    /// After a follow: the followed account's latest statuses join the follower's home.
    static func followed(follower: Int64, target: Int64, db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO home_feed (account_id, status_id, author_id)
            SELECT \(bind: follower), id, account_id FROM statuses
            WHERE account_id = \(bind: target) AND visibility <> 'direct' ORDER BY id DESC LIMIT \(bind: backfill)
            ON CONFLICT DO NOTHING
            """).run()
    }

    /// After an unfollow or a block: the account's statuses leave the member's home.
    static func unfollowed(follower: Int64, target: Int64, db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM home_feed WHERE account_id = \(bind: follower) AND author_id = \(bind: target)").run()
    }

    /// Drops each member's home rows beyond the newest `depth`. One index range per member.
    static func trim(accountIDs: [Int64], db: any SQLDatabase) async throws {
        for id in accountIDs {
            try await db.raw("""
                DELETE FROM home_feed WHERE account_id = \(bind: id) AND status_id < (
                    SELECT status_id FROM home_feed WHERE account_id = \(bind: id)
                    ORDER BY status_id DESC LIMIT 1 OFFSET \(bind: depth - 1))
                """).run()
        }
    }
}
