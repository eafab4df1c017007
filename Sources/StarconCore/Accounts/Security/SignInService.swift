import Foundation
import SQLKit

/// Where a member signed in, for the "recent sign-ins" list.
public enum SignInSurface: String, Sendable, CaseIterable {
    case web, app, nntp, smtp, imap
}

public struct SignInRecord: Sendable, Equatable {
    public let surface: SignInSurface
    /// The browser's user agent, the app's name, or the app password's name.
    public let client: String
    public let address: String
    public let at: Int64
}

/// A protocol client signed in: the member, and which app password it used (nil: the main password), so the
/// session can tell later whether its own credential still holds.
public struct ClientSignIn: Sendable, Equatable {
    public let account: Account
    public let appPasswordID: Int64?
}

/// Signing in, as every surface does it: the web and the OAuth authorize page in two steps (password, then
/// the TOTP code when the member turned it on); NNTP, SMTP and IMAP in one, through `client`, where the main
/// password works only for members without TOTP and app passwords always do.
public struct SignInService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    let accounts: AccountService
    let appPasswords: AppPasswordService
    let twoFactor: TwoFactorService
    /// How long the code page waits for its code.
    public var challengeLifetime: Int64 = 5 * 60_000

    public enum Step: Sendable, Equatable {
        case signedIn(Account)
        /// The password was right and the member uses TOTP: ask for the code with this token.
        case needsCode(challenge: String)
    }

    /// The first step on the web: the password (throttled as always).
    public func password(username: String, password: String, address: String) async throws -> Step {
        let account = try await accounts.authenticate(username: username, password: password, address: address)
        guard try await twoFactor.isEnabled(account) else { return .signedIn(account) }
        let token = Secrets.token()
        let now = clock.nowMilliseconds()
        try await database.write { db in
            try await db.raw("DELETE FROM sign_in_challenges WHERE expires_at < \(bind: now)").run()
            try await db.raw("""
                INSERT INTO sign_in_challenges (token_digest, account_id, expires_at)
                VALUES (\(bind: Secrets.digest(token)), \(bind: account.id), \(bind: now + challengeLifetime))
                """).run()
        }
        return .needsCode(challenge: token)
    }

    /// The second step: the code (or a recovery code) for a live challenge. A wrong code keeps the challenge
    /// (the throttle limits the guesses); the right one spends it.
    public func code(challenge: String, code: String, address: String) async throws -> Account {
        let now = clock.nowMilliseconds()
        let digest = Secrets.digest(challenge)
        let account: Account? = try await database.read { db in
            guard let row = try await db.raw("""
                SELECT account_id FROM sign_in_challenges WHERE token_digest = \(bind: digest) AND expires_at >= \(bind: now)
                """).first() else { return nil }
            return try await AccountService.find(id: try row.decode(column: "account_id", as: Int64.self), db: db)
        }
        guard let account else { throw CoreError(.unauthenticated, "sign_in_expired") }
        try await twoFactor.verify(account, code: code, address: address)
        try await database.write { db in try await db.raw("DELETE FROM sign_in_challenges WHERE token_digest = \(bind: digest)").run() }
        try AccountService.ensureMaySignIn(account, now: now)
        return account
    }

    /// The one sign-in of the protocol listeners (NNTP AUTHINFO, SMTP AUTH, IMAP LOGIN/AUTHENTICATE). An app
    /// password is tried first when the text has its shape; the main password is refused with
    /// `app_password_required` once the member turned TOTP on (as Google and Fastmail do).
    public func client(username: String, password: String, address: String, surface: SignInSurface) async throws -> ClientSignIn {
        let now = clock.nowMilliseconds()
        let throttle = accounts.throttle
        try await database.write { db in try await throttle.reserve(username: username, address: address, db: db, now: now) }
        let stored = try await accounts.storedCredentials(username: username)
        var appPasswordID: Int64?
        var mainMatches = false
        if let stored {
            appPasswordID = try await appPasswords.match(password, accountID: stored.account.id)
            if appPasswordID == nil { mainMatches = try await accounts.hasher.verify(password, hash: stored.passwordHash) }
        } else {
            _ = try await accounts.hasher.verify(password, hash: PasswordHasher.decoyHash)
        }
        guard let stored, appPasswordID != nil || mainMatches, stored.account.status != .rejected else {
            throw CoreError(.unauthenticated, "login_failed")
        }
        try await database.write { db in try await throttle.release(username: username, address: address, db: db) }
        let account = stored.account
        let appPasswordUsed = appPasswordID
        if stored.resetRequired { throw CoreError(.forbidden, "password_reset_required") }
        if appPasswordID == nil, try await twoFactor.isEnabled(account) { throw CoreError(.forbidden, "app_password_required") }
        try AccountService.ensureMaySignIn(account, now: now)
        let clientName: String = if let appPasswordUsed {
            try await appPasswords.list(for: account).first { $0.id == appPasswordUsed }?.name ?? ""
        } else { "" }
        try await database.write { db in
            if let appPasswordUsed { try await appPasswords.markUsed(appPasswordUsed, address: address, db: db) }
            try await Self.record(accountID: account.id, surface: surface, client: clientName, address: address, ids: ids, now: now, db: db)
        }
        return ClientSignIn(account: account, appPasswordID: appPasswordUsed)
    }

    /// Whether an open protocol session may go on (asked on `credentialsRevoked`): the member may still sign
    /// in, is not locked, and the credential it used still holds (its app password exists; the main
    /// password only while TOTP is off).
    public func stillValid(_ signIn: ClientSignIn) async -> Bool {
        await stillValid(accountID: signIn.account.id, appPasswordID: signIn.appPasswordID, forMail: false)
    }

    /// The one rule every mail session (IMAP, SMTP) asks after `credentialsRevoked`: `stillValid`, and the
    /// account as stored now may still use mail. A session signed in with an app password ends when that
    /// app password alone is revoked.
    public func mailStillAllowed(_ signIn: ClientSignIn) async -> Bool {
        await stillValid(accountID: signIn.account.id, appPasswordID: signIn.appPasswordID, forMail: true)
    }

    /// `mailStillAllowed` for a front that kept only the ids of the sign-in (SMTP's identity).
    public func mailStillAllowed(accountID: Int64, appPasswordID: Int64?) async -> Bool {
        await stillValid(accountID: accountID, appPasswordID: appPasswordID, forMail: true)
    }

    private func stillValid(accountID: Int64, appPasswordID: Int64?, forMail: Bool) async -> Bool {
        let now = clock.nowMilliseconds()
        do {
            return try await database.read { db in
                guard let stored = try await AccountService.storedCredentials(id: accountID, db: db),
                      !stored.resetRequired, (try? AccountService.ensureMaySignIn(stored.account, now: now)) != nil else { return false }
                if forMail, !AccountService.mayUseMail(stored.account, now: now) { return false }
                if let id = appPasswordID {
                    return try await db.raw("SELECT id FROM app_passwords WHERE id = \(bind: id) AND account_id = \(bind: accountID)").first() != nil
                }
                return try await !TwoFactorService.isEnabled(accountID: stored.account.id, db: db)
            }
        } catch {
            return false
        }
    }

    /// The member's recent sign-ins, newest first.
    public func recent(for account: Account, limit: Int = 30) async throws -> [SignInRecord] {
        try await database.read { db in
            try await db.raw("""
                SELECT surface, client, address, created_at FROM sign_ins WHERE account_id = \(bind: account.id)
                ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)
                """).all().map { row in
                SignInRecord(surface: SignInSurface(rawValue: try row.decode(column: "surface", as: String.self)) ?? .web,
                             client: try row.decode(column: "client", as: String.self),
                             address: try row.decode(column: "address", as: String.self),
                             at: try row.decode(column: "created_at", as: Int64.self))
            }
        }
    }

    /// Notes a sign-in. A mail client reconnects every few minutes: the same surface, client and address
    /// within an hour refreshes the row it made instead of adding one.
    static func record(accountID: Int64, surface: SignInSurface, client: String, address: String, ids: IDGenerator, now: Int64,
                       db: any SQLDatabase) async throws {
        let client = String(client.prefix(300))
        let refreshed = try await db.raw("""
            UPDATE sign_ins SET created_at = \(bind: now)
            WHERE account_id = \(bind: accountID) AND surface = \(bind: surface.rawValue) AND client = \(bind: client)
                AND address = \(bind: address) AND created_at > \(bind: now - 3_600_000) RETURNING id
            """).all()
        guard refreshed.isEmpty else { return }
        try await db.raw("""
            INSERT INTO sign_ins (id, account_id, surface, client, address, created_at)
            VALUES (\(bind: ids.next()), \(bind: accountID), \(bind: surface.rawValue), \(bind: client), \(bind: address), \(bind: now))
            """).run()
        // Only the recent ones are shown; older rows go as new ones come.
        try await db.raw("DELETE FROM sign_ins WHERE account_id = \(bind: accountID) AND created_at < \(bind: now - 90 * 86_400_000)").run()
    }

    /// What a protocol listener says when sign-in is refused for a reason the member can act on (English: the
    /// protocols have no language negotiation); nil for a plain failure.
    public static func protocolRefusal(_ error: CoreError) -> String? {
        switch error.key {
        case "account_suspended": "Account suspended"
        case "app_password_required": "Two-factor authentication is on: use an app password from the web settings"
        case "password_reset_required": "Account locked: set a new password with the link from an admin"
        default: error.kind == .forbidden ? "Account not active" : nil
        }
    }
}
