import SQLKit

public struct Invitation: Sendable, Equatable {
    public let id: Int64
    public let code: String
    public let createdBy: Int64?
    public let maxUses: Int
    public let uses: Int
    public let expiresAt: Int64?
    public let revoked: Bool
    public let createdAt: Int64

    public func isUsable(now: Int64) -> Bool {
        !revoked && uses < maxUses && (expiresAt.map { $0 > now } ?? true)
    }
}

/// Invitation links: a code with a number of uses and an optional expiry.
public struct InvitationService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    let audit: AuditLog

    public static let maxUsesLimit = 1000
    public static let maxDaysLimit = 365

    static let columns = "id, code, created_by, max_uses, uses, expires_at, revoked, created_at"

    static func decode(_ row: any SQLRow) throws -> Invitation {
        Invitation(
            id: try row.decode(column: "id", as: Int64.self),
            code: try row.decode(column: "code", as: String.self),
            createdBy: try row.decode(column: "created_by", as: Int64?.self),
            maxUses: try row.decode(column: "max_uses", as: Int.self),
            uses: try row.decode(column: "uses", as: Int.self),
            expiresAt: try row.decode(column: "expires_at", as: Int64?.self),
            revoked: try row.decode(column: "revoked", as: Int.self) != 0,
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    /// Creates an invitation. `actor` nil means the command line (the operator of the machine).
    /// Admins may invite; so may moderators.
    public func create(actor: Account?, uses: Int = 1, expiresInDays: Int? = 7) async throws -> Invitation {
        if let actor, !actor.isModerator { throw CoreError.forbidden }
        guard (1...Self.maxUsesLimit).contains(uses) else { throw CoreError.invalid("invite_uses", field: "uses") }
        if let days = expiresInDays, !(1...Self.maxDaysLimit).contains(days) { throw CoreError.invalid("invite_days", field: "expires") }
        let now = clock.nowMilliseconds()
        let invitation = Invitation(
            id: ids.next(), code: Secrets.token(bytes: 12), createdBy: actor?.id, maxUses: uses, uses: 0,
            expiresAt: expiresInDays.map { now + Int64($0) * 86_400_000 }, revoked: false, createdAt: now)
        try await database.write { db in
            try await db.raw("""
                INSERT INTO invitations (id, code, created_by, max_uses, uses, expires_at, revoked, created_at)
                VALUES (\(bind: invitation.id), \(bind: invitation.code), \(bind: invitation.createdBy), \(bind: uses), 0,
                    \(bind: invitation.expiresAt), 0, \(bind: now))
                """).run()
            try await audit.record(actor: actor?.id, action: "invitation.create", target: String(invitation.id), detail: "uses=\(uses)", db: db)
        }
        return invitation
    }

    public func list(actor: Account, before: Int64? = nil, limit: Int = 50) async throws -> [Invitation] {
        guard actor.isModerator else { throw CoreError.forbidden }
        return try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.columns) FROM invitations WHERE id < \(bind: before ?? Int64.max)
                ORDER BY id DESC LIMIT \(bind: limit)
                """).all().map(Self.decode)
        }
    }

    public func revoke(actor: Account, id: Int64) async throws {
        guard actor.isModerator else { throw CoreError.forbidden }
        try await database.write { db in
            let updated = try await db.raw("UPDATE invitations SET revoked = 1 WHERE id = \(bind: id) RETURNING id").all().count
            guard updated == 1 else { throw CoreError.notFound }
            try await audit.record(actor: actor.id, action: "invitation.revoke", target: String(id), db: db)
        }
    }

    /// A usable invitation for `code`, or an error naming why not.
    public func check(code: String) async throws -> Invitation {
        let now = clock.nowMilliseconds()
        return try await database.read { db in try await Self.usable(code: code, db: db, now: now) }
    }

    static func usable(code: String, db: any SQLDatabase, now: Int64) async throws -> Invitation {
        guard let invitation = try await db.raw("SELECT \(unsafeRaw: columns) FROM invitations WHERE code = \(bind: code)").first().map(decode),
              invitation.isUsable(now: now) else {
            throw CoreError.invalid("invite_invalid", field: "invite")
        }
        return invitation
    }

    /// Uses up one use of the invitation inside the registering transaction.
    static func consume(_ invitation: Invitation, db: any SQLDatabase) async throws {
        let updated = try await db.raw("""
            UPDATE invitations SET uses = uses + 1 WHERE id = \(bind: invitation.id) AND uses < max_uses RETURNING id
            """).all().count
        guard updated == 1 else { throw CoreError.invalid("invite_invalid", field: "invite") }
    }
}
