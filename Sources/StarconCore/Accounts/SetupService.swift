import SQLKit

/// First run: while no admin exists, `serve` prints a one-time link; whoever opens it creates the first
/// admin. The link's token is stored only as a digest and is deleted when the admin is created.
public struct SetupService: Sendable {
    let database: any Database
    let accounts: AccountService
    let audit: AuditLog

    /// A fresh setup token when the instance has no admin yet; nil once it has one.
    /// Each call replaces the previous token, so only the most recently printed link works.
    public func issueTokenIfNeeded() async throws -> String? {
        let token = Secrets.token()
        return try await database.write { db in
            guard try await !AccountService.adminExists(db: db) else {
                try await Settings.delete(.setupTokenDigest, db: db)
                return nil
            }
            try await Settings.set(.setupTokenDigest, Secrets.digest(token), db: db)
            return token
        }
    }

    public func isValid(token: String) async throws -> Bool {
        try await database.read { db in try await Self.matches(token, db: db) }
    }

    static func matches(_ token: String, db: any SQLDatabase) async throws -> Bool {
        guard let digest = try await Settings.get(.setupTokenDigest, db: db) else { return false }
        guard Secrets.constantTimeEquals(digest, Secrets.digest(token)) else { return false }
        return try await !AccountService.adminExists(db: db)
    }

    /// Creates the first admin. Works once: the token is consumed in the same transaction.
    public func complete(token: String, username: String, displayName: String, password: String, language: String?) async throws -> Account {
        var new = AccountService.NewAccount(username: username, displayName: displayName, password: password)
        new.role = .admin
        new.language = language
        let (cleaned, hash) = try await accounts.prepare(new)
        return try await database.write { db in
            guard try await Self.matches(token, db: db) else { throw CoreError(.forbidden, "setup_used") }
            let account = try await accounts.insert(cleaned, passwordHash: hash, db: db)
            try await Settings.delete(.setupTokenDigest, db: db)
            try await audit.record(actor: account.id, action: "setup.complete", target: account.username, db: db)
            return account
        }
    }
}
