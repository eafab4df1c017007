import Foundation
import SQLKit

/// An application registered through `POST /api/v1/apps` (a Mastodon client).
public struct OAuthApp: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let website: String
    public let redirectURIs: [String]
    public let scopes: Scopes
    public let clientID: String
}

/// OAuth 2 scopes as Mastodon names them: `read`, `write`, `follow`, `push`, and their `read:…` parts.
public struct Scopes: Sendable, Equatable, CustomStringConvertible {
    public let values: Set<String>

    public init(_ text: String) {
        values = Set(text.split(whereSeparator: { $0 == " " || $0 == "+" || $0 == "," }).map(String.init))
    }

    static let known: Set<String> = ["read", "write", "follow", "push", "profile"]

    /// Every scope is one we know (a top-level scope, or `read:x`/`write:x` under one).
    public var isValid: Bool {
        !values.isEmpty && values.allSatisfy { scope in
            Self.known.contains(scope) || (["read", "write", "admin:read", "admin:write"].contains { scope.hasPrefix($0 + ":") })
        }
    }

    /// `self` grants `needed` when it holds it or its top-level parent (`read` grants `read:statuses`).
    public func grants(_ needed: String) -> Bool {
        values.contains(needed) || needed.split(separator: ":").first.map { values.contains(String($0)) } == true
            || (needed == "read:follows" || needed == "write:follows") && values.contains("follow")
    }

    public func isSubset(of other: Scopes) -> Bool { values.allSatisfy { other.grants($0) } }
    public var description: String { values.sorted().joined(separator: " ") }
}

/// Who a bearer token speaks for.
public struct TokenGrant: Sendable {
    public let tokenID: Int64
    /// nil for a client_credentials token (the app itself, no member).
    public let account: Account?
    public let scopes: Scopes
    public let appID: Int64?
}

/// OAuth 2 for the Mastodon client API (RFC 6749 as Mastodon uses it): apps, authorization codes,
/// the password and client_credentials grants, revocation. Tokens are stored as digests only.
public struct OAuthService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    let accounts: AccountService

    /// The redirect URI for clients that show the code to the user instead of receiving it.
    public static let outOfBand = "urn:ietf:wg:oauth:2.0:oob"
    static let codeLifetime: Int64 = 10 * 60_000

    /// What one app registration may hold, so that registering cannot fill the disk: at most 10 redirect
    /// URIs of at most 500 bytes each and 2,000 bytes together, a name of at most 200 characters and a website
    /// of at most 500 bytes (about 3.5 KB an app at most).
    public enum AppLimits {
        public static let maxRedirectURIs = 10
        public static let maxRedirectURIBytes = 500
        public static let maxRedirectURIsBytes = 2_000
        public static let maxNameCharacters = 200
        public static let maxWebsiteBytes = 500
        /// Registrations from one address: anyone may register, so this is what bounds the growth.
        public static let perAddress = RateLimit(limit: 20, windowMilliseconds: 60 * 60_000)
        /// An app that got no token within this long is deleted (`pruneUnusedApps`).
        public static let unusedLifetime: Int64 = 24 * 60 * 60_000
    }

    /// Registers an app (anyone may, without signing in). `address` is the client's, for the rate limit.
    public func registerApp(name: String, redirectURIs: String, scopes: String, website: String, address: String) async throws -> (OAuthApp, secret: String) {
        let name = AccountRules.stripControls(name).trimmingWhitespace()
        guard !name.isEmpty, name.count <= AppLimits.maxNameCharacters else { throw CoreError.invalid("app_name", field: "client_name") }
        let website = website.trimmingWhitespace()
        guard website.utf8.count <= AppLimits.maxWebsiteBytes else { throw CoreError.invalid("app_website", field: "website") }
        let uris = redirectURIs.split(whereSeparator: { $0 == "\n" || $0 == " " }).map(String.init)
        guard uris.count <= AppLimits.maxRedirectURIs, uris.reduce(0, { $0 + $1.utf8.count }) <= AppLimits.maxRedirectURIsBytes else {
            throw CoreError.invalid("redirect_uris_long", field: "redirect_uris")
        }
        guard !uris.isEmpty, uris.allSatisfy(Self.isAcceptableRedirect) else {
            throw CoreError.invalid("redirect_uri", field: "redirect_uris")
        }
        let scopes = Scopes(scopes.isEmpty ? "read" : scopes)
        guard scopes.isValid else { throw CoreError.invalid("scope", field: "scopes") }
        let app = OAuthApp(id: ids.next(), name: name, website: website, redirectURIs: uris, scopes: scopes,
                           clientID: Secrets.token(bytes: 24))
        let secret = Secrets.token(bytes: 32)
        let now = clock.nowMilliseconds()
        try await database.write { db in
            try await AppLimits.perAddress.take("apps:address:" + address, messageKey: "apps_throttled", db: db, now: now)
            try await Self.deleteUnusedApps(createdBefore: now - AppLimits.unusedLifetime, db: db)
            try await db.raw("""
                INSERT INTO oauth_apps (id, name, website, redirect_uris, scopes, client_id, client_secret_digest, created_at)
                VALUES (\(bind: app.id), \(bind: app.name), \(bind: app.website), \(bind: uris.joined(separator: "\n")),
                    \(bind: scopes.description), \(bind: app.clientID), \(bind: Secrets.digest(secret)), \(bind: now))
                """).run()
        }
        return (app, secret)
    }

    /// Deletes the apps registered more than `age` milliseconds ago that never got a token (registering is
    /// open to anyone; an app nobody signed in with is clutter). Registration also does this, for a day.
    /// Returns how many were deleted.
    @discardableResult
    public func pruneUnusedApps(olderThan age: Int64 = AppLimits.unusedLifetime) async throws -> Int {
        let cutoff = clock.nowMilliseconds() - age
        return try await database.write { db in try await Self.deleteUnusedApps(createdBefore: cutoff, db: db) }
    }

    @discardableResult
    static func deleteUnusedApps(createdBefore cutoff: Int64, db: any SQLDatabase) async throws -> Int {
        try await db.raw("DELETE FROM oauth_apps WHERE used = 0 AND created_at < \(bind: cutoff) RETURNING id").all().count
    }

    /// A redirect URI an app may register: the out-of-band URN, or an absolute URI without a fragment whose
    /// scheme cannot run code in the browser (custom schemes such as `tootapp://` are how phone apps listen).
    static func isAcceptableRedirect(_ uri: String) -> Bool {
        if uri == outOfBand { return true }
        guard uri.utf8.count <= AppLimits.maxRedirectURIBytes, let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased(),
              components.fragment == nil else { return false }
        return !["javascript", "data", "vbscript", "file", "blob"].contains(scheme)
    }

    public func app(id: Int64) async throws -> OAuthApp? {
        try await database.read { db in
            guard let clientID = try await db.raw("SELECT client_id FROM oauth_apps WHERE id = \(bind: id)").first()?
                .decode(column: "client_id", as: String.self) else { return nil }
            return try await Self.app(clientID: clientID, db: db)?.0
        }
    }

    public func app(clientID: String) async throws -> OAuthApp? {
        try await database.read { db in try await Self.app(clientID: clientID, db: db)?.0 }
    }

    static func app(clientID: String, db: any SQLDatabase) async throws -> (OAuthApp, secretDigest: String)? {
        guard let row = try await db.raw("""
            SELECT id, name, website, redirect_uris, scopes, client_id, client_secret_digest FROM oauth_apps WHERE client_id = \(bind: clientID)
            """).first() else { return nil }
        let app = OAuthApp(
            id: try row.decode(column: "id", as: Int64.self), name: try row.decode(column: "name", as: String.self),
            website: try row.decode(column: "website", as: String.self),
            redirectURIs: try row.decode(column: "redirect_uris", as: String.self).split(separator: "\n").map(String.init),
            scopes: Scopes(try row.decode(column: "scopes", as: String.self)), clientID: clientID)
        return (app, try row.decode(column: "client_secret_digest", as: String.self))
    }

    /// The app, if `secret` is its client secret.
    func authenticatedApp(clientID: String, secret: String) async throws -> OAuthApp {
        guard let (app, digest) = try await database.read({ db in try await Self.app(clientID: clientID, db: db) }),
              Secrets.constantTimeEquals(digest, Secrets.digest(secret)) else {
            throw CoreError(.unauthenticated, "invalid_client")
        }
        return app
    }

    /// Checks an authorization request before the consent page is shown.
    public func validateAuthorization(clientID: String, redirectURI: String, scopes: String) async throws -> (OAuthApp, Scopes) {
        guard let app = try await app(clientID: clientID) else { throw CoreError.invalid("invalid_client") }
        guard app.redirectURIs.contains(redirectURI) else { throw CoreError.invalid("redirect_uri") }
        let requested = Scopes(scopes.isEmpty ? "read" : scopes)
        guard requested.isValid, requested.isSubset(of: app.scopes) else { throw CoreError.invalid("scope") }
        return (app, requested)
    }

    /// The member approved the app: a one-time code to exchange for a token.
    public func issueCode(app: OAuthApp, account: Account, scopes: Scopes, redirectURI: String) async throws -> String {
        let code = Secrets.token()
        try await database.write { db in
            try await db.raw("""
                INSERT INTO oauth_codes (code_digest, app_id, account_id, scopes, redirect_uri, expires_at)
                VALUES (\(bind: Secrets.digest(code)), \(bind: app.id), \(bind: account.id), \(bind: scopes.description),
                    \(bind: redirectURI), \(bind: clock.nowMilliseconds() + Self.codeLifetime))
                """).run()
        }
        return code
    }

    public enum Grant: Sendable {
        case authorizationCode(code: String, redirectURI: String)
        case password(username: String, password: String, scopes: String, address: String)
        case clientCredentials(scopes: String)
    }

    /// The token endpoint. Returns the token (shown once) and what it grants.
    public func token(clientID: String, clientSecret: String, grant: Grant) async throws -> (token: String, scopes: Scopes, createdAt: Int64) {
        let app = try await authenticatedApp(clientID: clientID, secret: clientSecret)
        let now = clock.nowMilliseconds()
        switch grant {
        case .authorizationCode(let code, let redirectURI):
            return try await database.write { db in
                guard let row = try await db.raw("""
                    DELETE FROM oauth_codes WHERE code_digest = \(bind: Secrets.digest(code)) AND app_id = \(bind: app.id)
                    RETURNING account_id, scopes, redirect_uri, expires_at
                    """).first(),
                    try row.decode(column: "expires_at", as: Int64.self) > now,
                    try row.decode(column: "redirect_uri", as: String.self) == redirectURI else {
                    throw CoreError.invalid("invalid_grant")
                }
                let scopes = Scopes(try row.decode(column: "scopes", as: String.self))
                let accountID = try row.decode(column: "account_id", as: Int64.self)
                try await SignInService.record(accountID: accountID, surface: .app, client: app.name, address: "", ids: ids, now: now, db: db)
                let token = try await insertToken(app: app.id, account: accountID, scopes: scopes, db: db)
                return (token, scopes, now)
            }
        case .password(let username, let password, let scopeText, let address):
            let scopes = Scopes(scopeText.isEmpty ? "read" : scopeText)
            guard scopes.isValid, scopes.isSubset(of: app.scopes) else { throw CoreError.invalid("invalid_scope") }
            // Clients send the e-mail address as the username (Mastodon signs in by e-mail): accept both.
            let name = username.split(separator: "@").first.map(String.init) ?? username
            let account = try await accounts.authenticate(username: name, password: password, address: address)
            let token = try await database.write { db in
                // The password grant has no step for a code: a member with TOTP signs in through the browser.
                if try await TwoFactorService.isEnabled(accountID: account.id, db: db) { throw CoreError(.forbidden, "totp_requires_browser") }
                try await SignInService.record(accountID: account.id, surface: .app, client: app.name, address: address, ids: ids, now: now, db: db)
                return try await insertToken(app: app.id, account: account.id, scopes: scopes, db: db)
            }
            return (token, scopes, now)
        case .clientCredentials(let scopeText):
            let scopes = Scopes(scopeText.isEmpty ? "read" : scopeText)
            guard scopes.isValid, scopes.isSubset(of: app.scopes) else { throw CoreError.invalid("invalid_scope") }
            let token = try await database.write { db in try await insertToken(app: app.id, account: nil, scopes: scopes, db: db) }
            return (token, scopes, now)
        }
    }

    /// A token for a member who just registered through an app (`POST /api/v1/accounts`), with the scopes
    /// of the app's own token that asked.
    public func issueToken(appID: Int64, account: Account, scopes: Scopes) async throws -> (token: String, scopes: Scopes, createdAt: Int64) {
        let now = clock.nowMilliseconds()
        let token = try await database.write { db in try await insertToken(app: appID, account: account.id, scopes: scopes, db: db) }
        return (token, scopes, now)
    }

    private func insertToken(app: Int64?, account: Int64?, scopes: Scopes, db: any SQLDatabase) async throws -> String {
        let token = Secrets.token()
        let now = clock.nowMilliseconds()
        if let app {
            // Kept by pruneUnusedApps from now on.
            try await db.raw("UPDATE oauth_apps SET used = 1 WHERE id = \(bind: app) AND used = 0").run()
        }
        try await db.raw("""
            INSERT INTO oauth_tokens (id, token_digest, app_id, account_id, scopes, created_at, last_used_at)
            VALUES (\(bind: ids.next()), \(bind: Secrets.digest(token)), \(bind: app), \(bind: account), \(bind: scopes.description), \(bind: now), \(bind: now))
            """).run()
        if let account { try await DashboardStats.markActive(account, now: now, db: db) }
        return token
    }

    /// What a bearer token grants, if it is live and its member may still sign in.
    public func resolve(token: String) async throws -> TokenGrant? {
        let now = clock.nowMilliseconds()
        guard let (grant, lastUsed) = try await database.read({ db -> (TokenGrant, Int64)? in
            guard let row = try await db.raw("""
                SELECT id, app_id, account_id, scopes, last_used_at FROM oauth_tokens WHERE token_digest = \(bind: Secrets.digest(token))
                """).first() else { return nil }
            let accountID = try row.decode(column: "account_id", as: Int64?.self)
            var account: Account?
            if let accountID {
                guard let found = try await AccountService.find(id: accountID, db: db) else { return nil }
                account = found
            }
            return (TokenGrant(tokenID: try row.decode(column: "id", as: Int64.self), account: account,
                               scopes: Scopes(try row.decode(column: "scopes", as: String.self)),
                               appID: try row.decode(column: "app_id", as: Int64?.self)),
                    try row.decode(column: "last_used_at", as: Int64.self))
        }) else { return nil }
        if let account = grant.account, (try? AccountService.ensureMaySignIn(account, now: now)) == nil { return nil }
        if now - lastUsed > 60_000 {
            try await database.write { db in
                try await db.raw("UPDATE oauth_tokens SET last_used_at = \(bind: now) WHERE id = \(bind: grant.tokenID)").run()
                if let account = grant.account { try await DashboardStats.markActive(account.id, now: now, db: db) }
            }
        }
        return grant
    }

    /// RFC 7009: revoking an unknown token is not an error.
    public func revoke(token: String, clientID: String, clientSecret: String) async throws {
        let app = try await authenticatedApp(clientID: clientID, secret: clientSecret)
        // RFC 7009 §2.1: an unknown token is already revoked (200); another app's token is refused.
        try await accounts.log.write { db, outbox in
            let digest = Secrets.digest(token)
            guard let row = try await db.raw("SELECT app_id, account_id FROM oauth_tokens WHERE token_digest = \(bind: digest)").first() else { return }
            guard try row.decode(column: "app_id", as: Int64?.self) == app.id else { throw CoreError(.forbidden, "unauthorized_client") }
            try await db.raw("DELETE FROM oauth_tokens WHERE token_digest = \(bind: digest)").run()
            // Streams opened with the token close on every node.
            if let account = try row.decode(column: "account_id", as: Int64?.self) {
                outbox.add(Event(to: [account], .credentialsRevoked(accountID: account)))
            }
        }
    }
}
