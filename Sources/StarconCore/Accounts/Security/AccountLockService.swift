import Foundation
import SQLKit

/// A hacked account: an admin locks it and hands the owner a one-time link to set a new password.
public struct AccountLockService: Sendable {
    let database: any Database
    let clock: Clock
    let accounts: AccountService
    let audit: AuditLog
    let log: EventLog
    public var resetLinkLifetime: Int64 = 7 * 86_400_000

    /// Locks the account: every web session, app token, unexchanged code and app password is revoked, TOTP is
    /// removed (the intruder may have enrolled their own phone), the password must be reset before any sign-in,
    /// and every open stream and protocol session ends on every node (`accountEnded`, as for a suspension).
    /// Returns the reset link's token for the admin to hand over. `actor` nil: the command line.
    public func lock(actor: Account?, target id: Int64, reason: String) async throws -> (account: Account, resetToken: String) {
        if let actor, !Permissions.instance(actor).administer { throw CoreError.forbidden }
        let reason = String(AccountRules.stripControls(reason).trimmingWhitespace().prefix(500))
        let token = Secrets.token()
        let now = clock.nowMilliseconds()
        let account = try await log.write { db, outbox -> Account in
            guard let target = try await AccountService.find(id: id, db: db) else { throw CoreError.notFound }
            if let actor, target.id == actor.id { throw CoreError.invalid("cannot_lock_self") }
            try await db.raw("UPDATE accounts SET password_reset_required = 1 WHERE id = \(bind: target.id)").run()
            for table in ["sessions", "oauth_tokens", "oauth_codes", "app_passwords", "account_totp", "totp_recovery_codes",
                          "sign_in_challenges", "password_resets"] {
                try await db.raw("DELETE FROM \(unsafeRaw: table) WHERE account_id = \(bind: target.id)").run()
            }
            try await insertReset(token, accountID: target.id, now: now, db: db)
            try await audit.record(actor: actor?.id, action: "account.lock", target: target.username, detail: reason, db: db)
            outbox.add(Event(to: [target.id], .accountEnded(accountID: target.id)))
            return target
        }
        return (account, token)
    }

    /// A fresh one-time link to set a new password: for a locked account whose first link was lost, or for a
    /// member who forgot their password (no mail yet, so an admin hands it over). Earlier links stop working;
    /// nothing else changes until the link is used. `actor` nil: the command line.
    public func issueResetLink(actor: Account?, target id: Int64) async throws -> String {
        let token = Secrets.token()
        let now = clock.nowMilliseconds()
        try await database.write { db in
            guard let target = try await AccountService.find(id: id, db: db) else { throw CoreError.notFound }
            if let actor, !Permissions.issueResetLink(target, viewer: actor) { throw CoreError.forbidden }
            try await db.raw("DELETE FROM password_resets WHERE account_id = \(bind: id)").run()
            try await insertReset(token, accountID: id, now: now, db: db)
            try await audit.record(actor: actor?.id, action: "account.reset_link", target: target.username, db: db)
        }
        return token
    }

    /// The member a live reset link belongs to, or nil.
    public func account(forResetToken token: String) async throws -> Account? {
        let now = clock.nowMilliseconds()
        return try await database.read { db in
            guard let row = try await db.raw("""
                SELECT account_id FROM password_resets WHERE token_digest = \(bind: Secrets.digest(token)) AND expires_at >= \(bind: now)
                """).first() else { return nil }
            return try await AccountService.find(id: try row.decode(column: "account_id", as: Int64.self), db: db)
        }
    }

    /// Sets the new password through the link, which is spent; the lock is lifted.
    public func resetPassword(token: String, newPassword: String) async throws -> Account {
        try AccountRules.validatePassword(newPassword)
        guard let target = try await account(forResetToken: token) else { throw CoreError(.notFound, "reset_link_invalid") }
        let hash = try await accounts.hasher.hash(newPassword)
        return try await database.write { db in
            let spent = try await db.raw("""
                DELETE FROM password_resets WHERE token_digest = \(bind: Secrets.digest(token)) RETURNING account_id
                """).all()
            guard !spent.isEmpty else { throw CoreError(.notFound, "reset_link_invalid") }
            try await db.raw("""
                UPDATE accounts SET password_hash = \(bind: hash), password_reset_required = 0 WHERE id = \(bind: target.id)
                """).run()
            try await audit.record(actor: target.id, action: "account.password_reset", target: target.username, db: db)
            return target
        }
    }

    private func insertReset(_ token: String, accountID: Int64, now: Int64, db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO password_resets (token_digest, account_id, expires_at)
            VALUES (\(bind: Secrets.digest(token)), \(bind: accountID), \(bind: now + resetLinkLifetime))
            """).run()
    }
}
