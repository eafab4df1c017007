import SQLKit

/// Muting a conversation (Mastodon's status mute/unmute): no notifications from any status of the thread, for
/// the member who muted it. A thread is named by its first status (the root), found by walking the replies up.
extension FeedService {
    /// Mutes the thread `statusID` belongs to (a status the actor may see).
    public func muteThread(by actor: Account, statusID: Int64) async throws -> StatusView {
        guard try await view(id: statusID, viewer: actor) != nil else { throw CoreError.notFound }
        let now = clock.nowMilliseconds()
        try await database.write { db in
            let root = try await Self.threadRoot(of: statusID, db: db)
            try await db.raw("""
                INSERT INTO thread_mutes (account_id, thread_id, created_at) VALUES (\(bind: actor.id), \(bind: root), \(bind: now))
                ON CONFLICT DO NOTHING
                """).run()
        }
        return try await view(id: statusID, viewer: actor) ?? { throw CoreError.notFound }()
    }

    public func unmuteThread(by actor: Account, statusID: Int64) async throws -> StatusView {
        guard try await view(id: statusID, viewer: actor) != nil else { throw CoreError.notFound }
        try await database.write { db in
            let root = try await Self.threadRoot(of: statusID, db: db)
            try await db.raw("DELETE FROM thread_mutes WHERE account_id = \(bind: actor.id) AND thread_id = \(bind: root)").run()
        }
        return try await view(id: statusID, viewer: actor) ?? { throw CoreError.notFound }()
    }

    /// The first status of the thread (ids grow with time, so the smallest of the chain up).
    static func threadRoot(of statusID: Int64, db: any SQLDatabase) async throws -> Int64 {
        try await db.raw("""
            WITH RECURSIVE up (id, parent) AS (
                SELECT id, in_reply_to_id FROM statuses WHERE id = \(bind: statusID)
                UNION ALL SELECT s.id, s.in_reply_to_id FROM statuses s JOIN up ON s.id = up.parent
            )
            SELECT MIN(id) AS root FROM up
            """).first()?.decode(column: "root", as: Int64?.self) ?? statusID
    }

    /// Which of `statusIDs` are in a thread `account` muted: nothing is walked when they muted none.
    static func threadMutedAmong(_ statusIDs: Set<Int64>, account: Int64, db: any SQLDatabase) async throws -> Set<Int64> {
        guard !statusIDs.isEmpty,
              try await db.raw("SELECT 1 AS x FROM thread_mutes WHERE account_id = \(bind: account) LIMIT 1").first() != nil else { return [] }
        return Set(try await db.raw("""
            WITH RECURSIVE up (start, id, parent) AS (
                SELECT id, id, in_reply_to_id FROM statuses WHERE id IN (\(list(statusIDs)))
                UNION ALL SELECT up.start, s.id, s.in_reply_to_id FROM statuses s JOIN up ON s.id = up.parent
            )
            SELECT DISTINCT up.start AS muted FROM up JOIN thread_mutes t ON t.thread_id = up.id AND t.account_id = \(bind: account)
            """).all().map { try $0.decode(column: "muted", as: Int64.self) })
    }
}
