import SQLKit

/// An app the member signed in to (one live token), for the member's list of devices.
public struct AuthorizedApp: Sendable, Equatable {
    public let tokenID: Int64
    public let appName: String
    public let createdAt: Int64
    public let lastUsedAt: Int64
}

extension OAuthService {
    /// The member's live app tokens, most recently used first.
    public func authorizedApps(for account: Account) async throws -> [AuthorizedApp] {
        try await database.read { db in
            try await db.raw("""
                SELECT t.id, COALESCE(a.name, '') AS name, t.created_at, t.last_used_at FROM oauth_tokens t
                LEFT JOIN oauth_apps a ON a.id = t.app_id WHERE t.account_id = \(bind: account.id)
                ORDER BY t.last_used_at DESC LIMIT 200
                """).all().map { row in
                AuthorizedApp(tokenID: try row.decode(column: "id", as: Int64.self), appName: try row.decode(column: "name", as: String.self),
                              createdAt: try row.decode(column: "created_at", as: Int64.self),
                              lastUsedAt: try row.decode(column: "last_used_at", as: Int64.self))
            }
        }
    }

    /// Ends one of the member's own app tokens (another member's is not found); its streams close.
    public func revokeToken(_ tokenID: Int64, of account: Account) async throws {
        try await accounts.log.write { db, outbox in
            let removed = try await db.raw("""
                DELETE FROM oauth_tokens WHERE id = \(bind: tokenID) AND account_id = \(bind: account.id) RETURNING id
                """).all()
            guard !removed.isEmpty else { throw CoreError.notFound }
            outbox.add(Event(to: [account.id], .credentialsRevoked(accountID: account.id)))
        }
    }
}
