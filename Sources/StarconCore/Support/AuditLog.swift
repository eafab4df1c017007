import SQLKit

/// Who did what to whom: every admin and moderator action, for the audit page.
public struct AuditEntry: Sendable {
    public let id: Int64
    public let actorID: Int64?
    public let action: String
    public let target: String
    public let detail: String
    public let createdAt: Int64
}

public struct AuditLog: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock

    func record(actor: Int64?, action: String, target: String, detail: String = "", db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO audit_log (id, actor_id, action, target, detail, created_at)
            VALUES (\(bind: ids.next()), \(bind: actor), \(bind: action), \(bind: target), \(bind: detail), \(bind: clock.nowMilliseconds()))
            """).run()
    }

    /// Every action code the core records, in the order an admin's filter lists them; each front end names
    /// them in its own language.
    public static let actions = [
        "setup.complete", "account.create", "account.register", "account.role", "account.kind", "account.password",
        "account.suspend", "account.unsuspend", "registration.mode", "registration.approve", "registration.reject",
        "invitation.create", "invitation.revoke", "group.create", "group.update", "article.approve", "article.reject",
        "article.cancel", "account.lock", "account.password_reset", "account.totp_enable", "account.totp_disable",
        "app_password.create", "app_password.revoke",
        "account.expiry", "account.warn", "account.limit", "account.unlimit", "report.create", "report.resolve",
        "report.delete_content", "account.reset_link",
    ]

    /// What an admin narrows the log to: who acted, which action, and a time range (milliseconds, `until`
    /// exclusive). Empty fields do not narrow.
    public struct Filter: Sendable, Equatable {
        public var actorID: Int64?
        public var action: String?
        public var since: Int64?
        public var until: Int64?
        public init(actorID: Int64? = nil, action: String? = nil, since: Int64? = nil, until: Int64? = nil) {
            self.actorID = actorID
            self.action = action
            self.since = since
            self.until = until
        }
    }

    /// Newest first; `before` is the last id of the previous page.
    public func list(actor: Account, filter: Filter = Filter(), before: Int64? = nil, limit: Int = 50) async throws -> [AuditEntry] {
        guard actor.isModerator else { throw CoreError.forbidden }
        return try await database.read { db in
            var query = SQLQueryString("SELECT id, actor_id, action, target, detail, created_at FROM audit_log WHERE id < \(bind: before ?? Int64.max)")
            if let actorID = filter.actorID { query += " AND actor_id = \(bind: actorID)" }
            if let action = filter.action { query += " AND action = \(bind: action)" }
            if let since = filter.since { query += " AND created_at >= \(bind: since)" }
            if let until = filter.until { query += " AND created_at < \(bind: until)" }
            query += " ORDER BY id DESC LIMIT \(bind: limit)"
            return try await db.raw(query).all().map { row in
                AuditEntry(
                    id: try row.decode(column: "id", as: Int64.self),
                    actorID: try row.decode(column: "actor_id", as: Int64?.self),
                    action: try row.decode(column: "action", as: String.self),
                    target: try row.decode(column: "target", as: String.self),
                    detail: try row.decode(column: "detail", as: String.self),
                    createdAt: try row.decode(column: "created_at", as: Int64.self))
            }
        }
    }
}
