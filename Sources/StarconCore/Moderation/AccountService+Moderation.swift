import Foundation
import SQLKit

/// Limits, timed suspensions, visitor passes and warnings: the account side of moderation.
extension AccountService {
    /// The reason a visitor suspended by their pass's end carries; extending the pass lifts only this one.
    public static let visitorExpiredReason = "visitor pass expired"
    static let day: Int64 = 86_400_000

    /// Suspends every active member whose pass (`expires_at`) has run out, with `visitorExpiredReason`: their
    /// sessions, tokens, streams and protocol sessions end on every node, as any suspension's do. Sign-in is
    /// refused from the moment of expiry already (`ensureMaySignIn`); this makes it a state admins see.
    @discardableResult
    public func suspendExpired() async throws -> [Account] {
        let now = clock.nowMilliseconds()
        let ids = try await database.read { db in
            try await db.raw("""
                SELECT id FROM accounts WHERE expires_at IS NOT NULL AND expires_at <= \(bind: now) AND status = 'active'
                """).all().map { try $0.decode(column: "id", as: Int64.self) }
        }
        var suspended: [Account] = []
        for id in ids {
            suspended.append(try await setSuspended(actor: nil, target: id, suspended: true, reason: Self.visitorExpiredReason))
        }
        return suspended
    }

    /// Lifts the timed suspensions whose end has come. Any node's job runner runs it; lifting twice changes
    /// nothing the second time (the row is read again inside `setSuspended`'s transaction).
    @discardableResult
    public func endSuspensions() async throws -> [Account] {
        let now = clock.nowMilliseconds()
        let ids = try await database.read { db in
            try await db.raw("""
                SELECT id FROM accounts WHERE status = 'suspended' AND suspended_until IS NOT NULL AND suspended_until <= \(bind: now)
                """).all().map { try $0.decode(column: "id", as: Int64.self) }
        }
        var lifted: [Account] = []
        for id in ids {
            // Read again: someone may have lifted it, or made it permanent, since the list was read.
            guard let account = try await find(id: id), account.status == .suspended, let until = account.suspendedUntil, until <= now else { continue }
            lifted.append(try await setSuspended(actor: nil, target: id, suspended: false, reason: "timed suspension ended"))
        }
        return lifted
    }

    /// Suspends for `days` days (1–3650), after which the suspension ends by itself.
    public func suspend(actor: Account?, target id: Int64, reason: String, days: Int?) async throws -> Account {
        var until: Int64?
        if let days {
            guard (1...3650).contains(days) else { throw CoreError.invalid("moderation_days", field: "days") }
            until = clock.nowMilliseconds() + Int64(days) * Self.day
        }
        return try await setSuspended(actor: actor, target: id, suspended: true, reason: reason, until: until)
    }

    /// Gives a member a pass that ends in `days` days (1–3650), or none (nil). Extending the pass of a
    /// visitor the job suspended for its end lets them back in. Admins only.
    public func setExpiry(actor: Account?, target id: Int64, days: Int?) async throws -> Account {
        if let actor, !actor.isAdmin { throw CoreError.forbidden }
        if let days, !(1...3650).contains(days) { throw CoreError.invalid("moderation_days", field: "expires_days") }
        let now = clock.nowMilliseconds()
        return try await log.write { db, _ in
            guard var target = try await Self.find(id: id, db: db) else { throw CoreError.notFound }
            target.expiresAt = days.map { now + Int64($0) * Self.day }
            if target.status == .suspended, target.statusReason == Self.visitorExpiredReason, target.expiresAt != nil {
                target.status = .active
                target.statusReason = ""
                try await audit.record(actor: actor?.id, action: "account.unsuspend", target: target.username, detail: "visitor pass extended", db: db)
            }
            try await db.raw("""
                UPDATE accounts SET expires_at = \(bind: target.expiresAt), status = \(bind: target.status.rawValue),
                    status_reason = \(bind: target.statusReason) WHERE id = \(bind: target.id)
                """).run()
            try await audit.record(actor: actor?.id, action: "account.expiry", target: target.username,
                                   detail: days.map { "\($0) days" } ?? "none", db: db)
            return target
        }
    }

    /// Members whose pass ends within `days` days (or has ended, while they are still suspended for it),
    /// soonest first: what the admins' members page lists to extend.
    public func expiringSoon(actor: Account, within days: Int = 7) async throws -> [Account] {
        guard actor.isModerator else { throw CoreError.forbidden }
        let horizon = clock.nowMilliseconds() + Int64(days) * Self.day
        return try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: AccountRow.columns) FROM accounts
                WHERE expires_at IS NOT NULL AND expires_at <= \(bind: horizon) AND status IN ('active', 'suspended')
                ORDER BY expires_at LIMIT 200
                """).all().map(AccountRow.decode)
        }
    }

    /// Limits a member (others see their posts as followers-only) or lifts the limit.
    func setLimited(_ limited: Bool, target: Account, actor: Account, db: any SQLDatabase) async throws {
        try await db.raw("UPDATE accounts SET limited = \(bind: limited ? 1 : 0) WHERE id = \(bind: target.id)").run()
        try await audit.record(actor: actor.id, action: limited ? "account.limit" : "account.unlimit", target: target.username, db: db)
    }

    /// Lifts a limit a moderator set.
    public func unlimit(actor: Account, target id: Int64) async throws {
        try await database.write { db in
            guard let target = try await Self.find(id: id, db: db) else { throw CoreError.notFound }
            guard Permissions.moderate(target, viewer: actor) else { throw CoreError.forbidden }
            try await setLimited(false, target: target, actor: actor, db: db)
        }
    }

    // MARK: Warnings

    /// The warnings the member has not acknowledged yet, oldest first: every page shows them until they do.
    public func pendingWarnings(of account: Account) async throws -> [AccountWarning] {
        try await database.read { db in
            try await db.raw("""
                SELECT id, text, created_at FROM account_warnings WHERE account_id = \(bind: account.id) AND acknowledged_at IS NULL ORDER BY id
                """).all().map {
                AccountWarning(id: try $0.decode(column: "id", as: Int64.self), text: try $0.decode(column: "text", as: String.self),
                               createdAt: try $0.decode(column: "created_at", as: Int64.self))
            }
        }
    }

    /// The member says they have read a warning; someone else's warning is not found.
    public func acknowledgeWarning(_ id: Int64, of account: Account) async throws {
        let now = clock.nowMilliseconds()
        try await database.write { db in
            let found = try await db.raw("""
                UPDATE account_warnings SET acknowledged_at = COALESCE(acknowledged_at, \(bind: now))
                WHERE id = \(bind: id) AND account_id = \(bind: account.id) RETURNING id
                """).first() != nil
            guard found else { throw CoreError.notFound }
        }
    }
}

/// A moderator's warning to a member.
public struct AccountWarning: Sendable, Equatable {
    public let id: Int64
    public let text: String
    public let createdAt: Int64
}
