import Foundation
import SQLKit

/// A named password for one protocol client (a newsreader, a mail program), so the main password never sits
/// in one. Shown once when made, stored bcrypt-hashed like the main password; revoking one ends the protocol
/// sessions that signed in with it.
public struct AppPassword: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let createdAt: Int64
    public let lastUsedAt: Int64?
    public let lastUsedAddress: String
}

public struct AppPasswordService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    let hasher: PasswordHasher
    let audit: AuditLog
    let log: EventLog
    /// Each sign-in may verify every one of them (bcrypt cannot be looked up), so the number is kept small.
    public static let maxPerAccount = 10
    public static let maxNameLength = 60

    /// Four groups of four lower-case letters, as Google and Fastmail show theirs: easy to type on a phone,
    /// 16 × log2(26) ≈ 75 bits. Clients may keep or drop the spaces.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        return (0..<4).map { _ in String((0..<4).map { _ in letters.randomElement(using: &generator)! }) }.joined(separator: " ")
    }

    /// What a client sent, as an app password to check, or nil when it cannot be one.
    static func normalized(_ typed: String) -> String? {
        let letters = typed.lowercased().filter { $0 != " " && $0 != "-" }
        guard letters.count == 16, letters.allSatisfy({ $0 >= "a" && $0 <= "z" }) else { return nil }
        return letters
    }

    /// Makes an app password; the text is returned once and never again.
    public func create(for account: Account, name: String) async throws -> (password: String, appPassword: AppPassword) {
        let name = String(AccountRules.stripControls(name).trimmingWhitespace())
        guard !name.isEmpty else { throw CoreError.invalid("app_password_name_required", field: "name") }
        guard name.count <= Self.maxNameLength else { throw CoreError.invalid("app_password_name_too_long", field: "name") }
        let password = Self.generate()
        let hash = try await hasher.hash(Self.normalized(password)!)
        let id = ids.next()
        let now = clock.nowMilliseconds()
        try await database.write { db in
            let count = try await db.raw("SELECT COUNT(*) AS n FROM app_passwords WHERE account_id = \(bind: account.id)")
                .first()!.decode(column: "n", as: Int.self)
            guard count < Self.maxPerAccount else { throw CoreError.invalid("app_password_limit", field: "name") }
            try await db.raw("""
                INSERT INTO app_passwords (id, account_id, name, password_hash, created_at)
                VALUES (\(bind: id), \(bind: account.id), \(bind: name), \(bind: hash), \(bind: now))
                """).run()
            try await audit.record(actor: account.id, action: "app_password.create", target: account.username, detail: name, db: db)
        }
        return (password, AppPassword(id: id, name: name, createdAt: now, lastUsedAt: nil, lastUsedAddress: ""))
    }

    public func list(for account: Account) async throws -> [AppPassword] {
        try await database.read { db in
            try await db.raw("""
                SELECT id, name, created_at, last_used_at, last_used_address FROM app_passwords
                WHERE account_id = \(bind: account.id) ORDER BY id
                """).all().map { row in
                AppPassword(id: try row.decode(column: "id", as: Int64.self), name: try row.decode(column: "name", as: String.self),
                            createdAt: try row.decode(column: "created_at", as: Int64.self),
                            lastUsedAt: try row.decode(column: "last_used_at", as: Int64?.self),
                            lastUsedAddress: try row.decode(column: "last_used_address", as: String.self))
            }
        }
    }

    /// Revokes one of the member's own app passwords; protocol sessions that signed in with it end on every
    /// node (they re-check their credentials on `credentialsRevoked`). Another member's id is not found.
    public func revoke(_ id: Int64, of account: Account) async throws {
        try await log.write { db, outbox in
            guard let row = try await db.raw("""
                DELETE FROM app_passwords WHERE id = \(bind: id) AND account_id = \(bind: account.id) RETURNING name
                """).first() else { throw CoreError.notFound }
            try await audit.record(actor: account.id, action: "app_password.revoke", target: account.username,
                                   detail: try row.decode(column: "name", as: String.self), db: db)
            outbox.add(Event(to: [account.id], .credentialsRevoked(accountID: account.id)))
        }
    }

    /// The id of the member's app password `typed` is, checking the most recently used first.
    func match(_ typed: String, accountID: Int64) async throws -> Int64? {
        guard let candidate = Self.normalized(typed) else { return nil }
        let stored = try await database.read { db in
            try await db.raw("""
                SELECT id, password_hash FROM app_passwords WHERE account_id = \(bind: accountID)
                ORDER BY COALESCE(last_used_at, 0) DESC, id DESC LIMIT \(bind: Self.maxPerAccount)
                """).all().map { (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "password_hash", as: String.self)) }
        }
        for (id, hash) in stored where try await hasher.verify(candidate, hash: hash) { return id }
        return nil
    }

    func markUsed(_ id: Int64, address: String, db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE app_passwords SET last_used_at = \(bind: clock.nowMilliseconds()), last_used_address = \(bind: address)
            WHERE id = \(bind: id)
            """).run()
    }
}
