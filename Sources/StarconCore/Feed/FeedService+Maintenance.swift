import SQLKit

extension FeedService {
    /// Trims every member's home feed to its newest `HomeFeed.depth` rows, a batch of members per write
    /// transaction so the writer is never held for long. Run from time to time by the server.
    public func trimHomeFeeds(batch: Int = 200) async throws {
        var after: Int64 = 0
        while true {
            let cursor = after
            let ids = try await database.read { db in
                try await db.raw("SELECT id FROM accounts WHERE id > \(bind: cursor) ORDER BY id LIMIT \(bind: batch)").all()
                    .map { try $0.decode(column: "id", as: Int64.self) }
            }
            guard let last = ids.last else { return }
            try await database.write { db in try await HomeFeed.trim(accountIDs: ids, db: db) }
            after = last
        }
    }

    /// Forgets idempotency keys older than the window in which they count.
    public func pruneIdempotencyKeys() async throws {
        let cutoff = clock.nowMilliseconds() - FeedRules.idempotencyWindow
        try await database.write { db in try await db.raw("DELETE FROM status_idempotency WHERE created_at < \(bind: cutoff)").run() }
    }
}
