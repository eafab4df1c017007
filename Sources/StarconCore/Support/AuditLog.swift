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

    /// Newest first; `before` is the last id of the previous page.
    public func list(actor: Account, before: Int64? = nil, limit: Int = 50) async throws -> [AuditEntry] {
        guard actor.isModerator else { throw CoreError.forbidden }
        return try await database.read { db in
            try await db.raw("""
                SELECT id, actor_id, action, target, detail, created_at FROM audit_log
                WHERE id < \(bind: before ?? Int64.max) ORDER BY id DESC LIMIT \(bind: limit)
                """).all().map { row in
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
