import Foundation
import SQLKit

/// What the settings page shows about a member's second factor.
public struct TwoFactorStatus: Sendable, Equatable {
    public let enabled: Bool
    /// Enrolment started and not yet confirmed: the secret to show again.
    public let pending: TOTPEnrolment?
    public let recoveryCodesLeft: Int
}

public struct TOTPEnrolment: Sendable, Equatable {
    /// Base32, as typed into an authenticator app by hand.
    public let secret: String
    public let uri: String
}

/// The TOTP second factor (RFC 6238): enrolment, confirmation with a code, one-time recovery codes, and the
/// code check at sign-in, throttled like passwords and never accepting the same code twice.
public struct TwoFactorService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    let accounts: AccountService
    let audit: AuditLog
    let log: EventLog
    public static let recoveryCodeCount = 10

    public func status(of account: Account, issuer: String) async throws -> TwoFactorStatus {
        try await database.read { db in
            let row = try await db.raw("SELECT secret, confirmed_at FROM account_totp WHERE account_id = \(bind: account.id)").first()
            let enabled = try row?.decode(column: "confirmed_at", as: Int64?.self) != nil
            let pending = try row.flatMap { row -> TOTPEnrolment? in
                guard !enabled else { return nil }
                let secret = try row.decode(column: "secret", as: String.self)
                return TOTPEnrolment(secret: secret, uri: TOTP.uri(secret: Base32.decode(secret) ?? [], account: account.username, issuer: issuer))
            }
            let left = try await db.raw("""
                SELECT COUNT(*) AS n FROM totp_recovery_codes WHERE account_id = \(bind: account.id) AND used_at IS NULL
                """).first()!.decode(column: "n", as: Int.self)
            return TwoFactorStatus(enabled: enabled, pending: pending, recoveryCodesLeft: enabled ? left : 0)
        }
    }

    static func isEnabled(accountID: Int64, db: any SQLDatabase) async throws -> Bool {
        try await db.raw("SELECT 1 AS one FROM account_totp WHERE account_id = \(bind: accountID) AND confirmed_at IS NOT NULL").first() != nil
    }

    public func isEnabled(_ account: Account) async throws -> Bool {
        try await database.read { db in try await Self.isEnabled(accountID: account.id, db: db) }
    }

    /// Starts (or restarts) enrolment with a fresh 160-bit secret; nothing changes at sign-in until `confirm`.
    public func beginEnrolment(for account: Account, issuer: String) async throws -> TOTPEnrolment {
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<20).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let text = Base32.encode(secret)
        try await database.write { db in
            guard try await !Self.isEnabled(accountID: account.id, db: db) else { throw CoreError(.conflict, "totp_already_enabled") }
            try await db.raw("DELETE FROM account_totp WHERE account_id = \(bind: account.id)").run()
            try await db.raw("INSERT INTO account_totp (account_id, secret) VALUES (\(bind: account.id), \(bind: text))").run()
        }
        return TOTPEnrolment(secret: text, uri: TOTP.uri(secret: secret, account: account.username, issuer: issuer))
    }

    /// Turns the second factor on once the member proves their app has the secret; returns the recovery codes
    /// (shown once). From now on protocol clients need app passwords, so sessions signed in with the main
    /// password are told to re-check (`credentialsRevoked`).
    public func confirm(for account: Account, code: String) async throws -> [String] {
        let codes = (0..<Self.recoveryCodeCount).map { _ in Self.recoveryCode() }
        let now = clock.nowMilliseconds()
        try await log.write { db, outbox in
            guard let row = try await db.raw("SELECT secret, confirmed_at FROM account_totp WHERE account_id = \(bind: account.id)").first(),
                  let secret = Base32.decode(try row.decode(column: "secret", as: String.self)) else {
                throw CoreError.invalid("totp_not_started", field: "code")
            }
            guard try row.decode(column: "confirmed_at", as: Int64?.self) == nil else { throw CoreError(.conflict, "totp_already_enabled") }
            guard let step = TOTP(secret: secret).matchingStep(code, atMilliseconds: now) else { throw CoreError.invalid("totp_code_wrong", field: "code") }
            try await db.raw("""
                UPDATE account_totp SET confirmed_at = \(bind: now), last_step = \(bind: step) WHERE account_id = \(bind: account.id)
                """).run()
            try await replaceRecoveryCodes(codes, accountID: account.id, db: db)
            try await audit.record(actor: account.id, action: "account.totp_enable", target: account.username, db: db)
            outbox.add(Event(to: [account.id], .credentialsRevoked(accountID: account.id)))
        }
        return codes
    }

    /// Turns the second factor off: the member proves both factors again (password and a code or recovery code).
    public func disable(for account: Account, password: String, code: String, address: String) async throws {
        try await accounts.verifyPassword(of: account, password)
        try await verify(account, code: code, address: address)
        try await database.write { db in
            try await db.raw("DELETE FROM account_totp WHERE account_id = \(bind: account.id)").run()
            try await db.raw("DELETE FROM totp_recovery_codes WHERE account_id = \(bind: account.id)").run()
            try await audit.record(actor: account.id, action: "account.totp_disable", target: account.username, db: db)
        }
    }

    /// Checks a code from the member's app (a time step newer than the last one accepted) or an unused
    /// recovery code. Throttled on the same counters as passwords, under the member's name for codes, so
    /// guessing the six digits gets as far as guessing a password does.
    public func verify(_ account: Account, code: String, address: String) async throws {
        let now = clock.nowMilliseconds()
        let throttleName = "totp " + account.username
        try await database.write { db in try await accounts.throttle.reserve(username: throttleName, address: address, db: db, now: now) }
        let accepted: Bool = try await database.write { db in
            guard let row = try await db.raw("""
                SELECT secret, last_step FROM account_totp WHERE account_id = \(bind: account.id) AND confirmed_at IS NOT NULL
                """).first(), let secret = Base32.decode(try row.decode(column: "secret", as: String.self)) else { return false }
            if let step = TOTP(secret: secret).matchingStep(code, atMilliseconds: now) {
                // Only a newer step than any accepted before: a code seen over a shoulder is spent.
                let updated = try await db.raw("""
                    UPDATE account_totp SET last_step = \(bind: step)
                    WHERE account_id = \(bind: account.id) AND last_step < \(bind: step) RETURNING account_id
                    """).all()
                return !updated.isEmpty
            }
            let digest = Secrets.digest(Self.normalizedRecoveryCode(code))
            let used = try await db.raw("""
                UPDATE totp_recovery_codes SET used_at = \(bind: now)
                WHERE account_id = \(bind: account.id) AND code_digest = \(bind: digest) AND used_at IS NULL RETURNING id
                """).all()
            return !used.isEmpty
        }
        guard accepted else { throw CoreError.invalid("totp_code_wrong", field: "code") }
        try await database.write { db in try await accounts.throttle.release(username: throttleName, address: address, db: db) }
    }

    /// Ten letters and digits in two groups (`k7mq2-x9fpa`): about 50 bits, typed from paper.
    static func recoveryCode() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        let letters = String((0..<10).map { _ in alphabet.randomElement(using: &generator)! })
        return String(letters.prefix(5)) + "-" + String(letters.suffix(5))
    }

    static func normalizedRecoveryCode(_ typed: String) -> String {
        let letters = typed.lowercased().filter { $0.isLetter || $0.isNumber }
        guard letters.count == 10 else { return letters }
        return String(letters.prefix(5)) + "-" + String(letters.suffix(5))
    }

    private func replaceRecoveryCodes(_ codes: [String], accountID: Int64, db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM totp_recovery_codes WHERE account_id = \(bind: accountID)").run()
        for code in codes {
            try await db.raw("""
                INSERT INTO totp_recovery_codes (id, account_id, code_digest) VALUES (\(bind: ids.next()), \(bind: accountID), \(bind: Secrets.digest(code)))
                """).run()
        }
    }
}
