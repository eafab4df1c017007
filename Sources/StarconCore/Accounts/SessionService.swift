import SQLKit

/// A signed-in browser or device.
public struct Session: Sendable, Equatable {
    public let id: Int64
    public let accountID: Int64
    public let userAgent: String
    public let address: String
    public let createdAt: Int64
    public let lastUsedAt: Int64
}

/// Database-backed sessions: the cookie holds a random token, the table only its digest.
public struct SessionService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    /// Where an ended session is announced, so streams opened with it close on every node.
    let log: EventLog
    /// `last_used_at` is written at most this often per session, so reading pages does not mean writing.
    public var touchInterval: Int64 = 60_000
    public var lifetime: Int64 = 30 * 24 * 3_600_000

    static let columns = "id, account_id, user_agent, address, created_at, last_used_at"

    static func decode(_ row: any SQLRow) throws -> Session {
        Session(
            id: try row.decode(column: "id", as: Int64.self),
            accountID: try row.decode(column: "account_id", as: Int64.self),
            userAgent: try row.decode(column: "user_agent", as: String.self),
            address: try row.decode(column: "address", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            lastUsedAt: try row.decode(column: "last_used_at", as: Int64.self))
    }

    /// Starts a session; returns the token to hand to the client (shown once, never stored).
    public func start(for account: Account, userAgent: String, address: String) async throws -> (token: String, session: Session) {
        let token = Secrets.token()
        let id = ids.next()
        let now = clock.nowMilliseconds()
        let agent = String(userAgent.prefix(300))
        try await database.write { db in
            try await db.raw("""
                INSERT INTO sessions (id, token_hash, account_id, user_agent, address, created_at, last_used_at)
                VALUES (\(bind: id), \(bind: Secrets.digest(token)), \(bind: account.id), \(bind: agent), \(bind: address), \(bind: now), \(bind: now))
                """).run()
            try await db.raw("UPDATE accounts SET last_seen_at = \(bind: now) WHERE id = \(bind: account.id)").run()
            try await SignInService.record(accountID: account.id, surface: .web, client: agent, address: address, ids: ids, now: now, db: db)
            try await DashboardStats.markActive(account.id, now: now, db: db)
        }
        return (token, Session(id: id, accountID: account.id, userAgent: agent, address: address, createdAt: now, lastUsedAt: now))
    }

    /// The session and member behind a token, if the session is live and the member may still sign in.
    public func resolve(token: String, address: String) async throws -> (Session, Account)? {
        let now = clock.nowMilliseconds()
        let found: (Session, Account)? = try await database.read { db in
            guard let row = try await db.raw("""
                SELECT \(unsafeRaw: Self.columns) FROM sessions WHERE token_hash = \(bind: Secrets.digest(token))
                """).first() else { return nil }
            let session = try Self.decode(row)
            guard session.lastUsedAt + lifetime > now,
                  let account = try await AccountService.find(id: session.accountID, db: db) else { return nil }
            return (session, account)
        }
        guard let (session, account) = found else { return nil }
        guard (try? AccountService.ensureMaySignIn(account, now: now)) != nil else { return nil }
        if now - session.lastUsedAt > touchInterval {
            try await database.write { db in
                try await db.raw("UPDATE sessions SET last_used_at = \(bind: now), address = \(bind: address) WHERE id = \(bind: session.id)").run()
                try await db.raw("UPDATE accounts SET last_seen_at = \(bind: now) WHERE id = \(bind: account.id)").run()
                try await DashboardStats.markActive(account.id, now: now, db: db)
            }
        }
        return (session, account)
    }

    /// The member's sessions, most recently used first.
    public func list(for account: Account) async throws -> [Session] {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.columns) FROM sessions WHERE account_id = \(bind: account.id)
                ORDER BY last_used_at DESC LIMIT 200
                """).all().map(Self.decode)
        }
    }

    /// Ends one of the member's own sessions; another member's session id is simply not found.
    public func revoke(_ sessionID: Int64, of account: Account) async throws {
        let removed = try await log.write { db, outbox in
            let count = try await db.raw("DELETE FROM sessions WHERE id = \(bind: sessionID) AND account_id = \(bind: account.id) RETURNING id").all().count
            if count > 0 { outbox.add(Event(to: [account.id], .credentialsRevoked(accountID: account.id))) }
            return count
        }
        guard removed == 1 else { throw CoreError.notFound }
    }

    /// Sign-out: ends the session the token belongs to.
    public func end(token: String) async throws {
        try await log.write { db, outbox in
            for row in try await db.raw("DELETE FROM sessions WHERE token_hash = \(bind: Secrets.digest(token)) RETURNING account_id").all() {
                let account = try row.decode(column: "account_id", as: Int64.self)
                outbox.add(Event(to: [account], .credentialsRevoked(accountID: account)))
            }
        }
    }
}
