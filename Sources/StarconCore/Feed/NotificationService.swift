import SQLKit

/// Reading and clearing one's notifications.
public struct NotificationService: Sendable {
    let database: any Database

    public func list(for account: Account, page: PageRequest = PageRequest(), types: Set<Notification.Kind>? = nil,
                     excluding: Set<Notification.Kind> = []) async throws -> [Notification] {
        let wanted = (types ?? Set(Notification.Kind.allCases)).subtracting(excluding)
        guard !wanted.isEmpty else { return [] }
        let (bounds, ascending) = page.bounds("n.id")
        let kinds = SQLList(wanted.map { SQLBind($0.rawValue) })
        let columns = AccountRow.joinedColumns
        let rows = try await database.read { db in
            try await db.raw("""
                SELECT n.id AS n_id, n.type AS n_type, n.status_id AS n_status, n.emoji AS n_emoji, n.created_at AS n_created, n.read AS n_read,
                    r.outcome AS n_outcome, \(unsafeRaw: columns)
                FROM notifications n JOIN accounts a ON a.id = n.from_account_id LEFT JOIN reports r ON r.id = n.report_id
                WHERE n.account_id = \(bind: account.id) AND n.type IN (\(kinds)) AND \(bounds) AND a.status = 'active'
                ORDER BY n.id \(unsafeRaw: ascending ? "ASC" : "DESC") LIMIT \(bind: page.limit)
                """).all().map(Self.decode)
        }
        return ascending ? rows.reversed() : rows
    }

    public func get(_ id: Int64, for account: Account) async throws -> Notification? {
        try await list(for: account, page: PageRequest(maxID: id + 1, sinceID: id - 1, limit: 1)).first
    }

    public func dismiss(_ id: Int64, for account: Account) async throws {
        try await database.write { db in
            try await db.raw("DELETE FROM notifications WHERE id = \(bind: id) AND account_id = \(bind: account.id)").run()
        }
    }

    public func clear(for account: Account) async throws {
        try await database.write { db in
            try await db.raw("DELETE FROM notifications WHERE account_id = \(bind: account.id)").run()
        }
    }

    public func unreadCount(for account: Account) async throws -> Int {
        try await database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM notifications WHERE account_id = \(bind: account.id) AND read = 0").first()?
                .decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// Unread notifications the member has not seen yet: newer than the last one the notifications page
    /// showed them (`markSeen`). The header's bell counts these; each stays unread until read.
    public func unseenCount(for account: Account) async throws -> Int {
        try await database.read { db in
            try await db.raw("""
                SELECT COUNT(*) AS n FROM notifications n JOIN accounts a ON a.id = n.account_id
                WHERE n.account_id = \(bind: account.id) AND n.read = 0 AND n.id > a.notifications_seen_id
                """).first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// The member saw their notifications up to `id` (forward only).
    public func markSeen(upTo id: Int64, for account: Account) async throws {
        try await database.write { db in
            try await db.raw("""
                UPDATE accounts SET notifications_seen_id = \(bind: id) WHERE id = \(bind: account.id) AND notifications_seen_id < \(bind: id)
                """).run()
        }
    }

    public func markAllRead(for account: Account) async throws {
        try await database.write { db in
            try await db.raw("UPDATE notifications SET read = 1 WHERE account_id = \(bind: account.id) AND read = 0").run()
        }
    }

    static func decode(_ row: any SQLRow) throws -> Notification {
        Notification(id: try row.decode(column: "n_id", as: Int64.self),
                     kind: Notification.Kind(rawValue: try row.decode(column: "n_type", as: String.self)) ?? .mention,
                     from: try AccountRow.decode(row), statusID: try row.decode(column: "n_status", as: Int64?.self),
                     emoji: try row.decode(column: "n_emoji", as: String?.self),
                     createdAt: try row.decode(column: "n_created", as: Int64.self), read: try row.decode(column: "n_read", as: Int.self) != 0,
                     reportOutcome: try row.decode(column: "n_outcome", as: String?.self).flatMap(ReportOutcome.init(rawValue:)))
    }
}
