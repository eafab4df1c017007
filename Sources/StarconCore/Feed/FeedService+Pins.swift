import SQLKit

/// Statuses a member pins to the top of their profile (Mastodon's pin/unpin).
extension FeedService {
    public static let maxPins = 5

    /// Pins one's own status (not a repost, not a direct one), at most `maxPins`.
    public func pin(by actor: Account, statusID: Int64) async throws -> StatusView {
        let now = clock.nowMilliseconds()
        try AccountService.ensureMayAct(actor, now: now)
        try await database.write { db in
            guard let status = try await Self.load(id: statusID, db: db) else { throw CoreError.notFound }
            guard Permissions.pin(status, viewer: actor) else {
                throw status.author.id == actor.id ? CoreError.invalid("pin_not_allowed", field: "id") : try await Self.refusal(status, to: actor, now: now, db: db)
            }
            let count = try await db.raw("SELECT COUNT(*) AS n FROM status_pins WHERE account_id = \(bind: actor.id)").first()?.decode(column: "n", as: Int.self) ?? 0
            let already = try await db.raw("SELECT 1 AS x FROM status_pins WHERE account_id = \(bind: actor.id) AND status_id = \(bind: statusID)").first() != nil
            guard already || count < Self.maxPins else { throw CoreError.invalid("pin_limit", field: "id") }
            try await db.raw("""
                INSERT INTO status_pins (account_id, status_id, created_at) VALUES (\(bind: actor.id), \(bind: statusID), \(bind: now)) ON CONFLICT DO NOTHING
                """).run()
        }
        return try await view(id: statusID, viewer: actor) ?? { throw CoreError.notFound }()
    }

    public func unpin(by actor: Account, statusID: Int64) async throws -> StatusView {
        guard let view = try await view(id: statusID, viewer: actor) else { throw CoreError.notFound }
        try await database.write { db in
            try await db.raw("DELETE FROM status_pins WHERE account_id = \(bind: actor.id) AND status_id = \(bind: statusID)").run()
        }
        return try await self.view(id: statusID, viewer: actor) ?? view
    }

    /// `account`'s pinned statuses that `viewer` may see, most recently pinned first.
    public func pinned(of account: Int64, viewer: Account) async throws -> [StatusView] {
        try await database.read { db in
            let statuses = try await db.raw("""
                SELECT \(unsafeRaw: StatusRow.columns) FROM status_pins p JOIN statuses s ON s.id = p.status_id JOIN accounts a ON a.id = s.account_id
                WHERE p.account_id = \(bind: account) ORDER BY p.created_at DESC
                """).all().map(StatusRow.decode)
            let who = try await Viewer.load(viewer, now: clock.nowMilliseconds(), db: db, followingAmong: [account])
            return try await Self.views(statuses, viewer: who, db: db)
        }
    }

    /// Which of these statuses (the viewer's own) the viewer pinned.
    static func pinnedAmong(_ ids: [Int64], viewer: Int64, db: any SQLDatabase) async throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        return Set(try await db.raw("SELECT status_id FROM status_pins WHERE account_id = \(bind: viewer) AND status_id IN (\(list(ids)))").all()
            .map { try $0.decode(column: "status_id", as: Int64.self) })
    }
}
