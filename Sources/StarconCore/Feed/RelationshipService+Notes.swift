import SQLKit

/// A member's private notes about others, and the members they endorse on their profile.
extension RelationshipService {
    public static let maxNote = 2_000
    public static let maxEndorsements = 20

    /// Sets (or with "" removes) `actor`'s private note about `target`.
    public func setNote(_ actor: Account, about target: Account, _ text: String) async throws -> Relationship {
        let note = AccountRules.stripControls(text, keepNewlines: true).trimmingWhitespace()
        guard note.count <= Self.maxNote else { throw CoreError.invalid("note_long", field: "comment") }
        return try await database.write { db in
            if note.isEmpty {
                try await db.raw("DELETE FROM account_notes WHERE account_id = \(bind: actor.id) AND target_id = \(bind: target.id)").run()
            } else {
                try await db.raw("""
                    INSERT INTO account_notes (account_id, target_id, note) VALUES (\(bind: actor.id), \(bind: target.id), \(bind: note))
                    ON CONFLICT (account_id, target_id) DO UPDATE SET note = excluded.note
                    """).run()
            }
            return try await Self.relationship(actor.id, target.id, db: db)
        }
    }

    /// Endorses a member one follows (Mastodon's rule), or stops.
    public func endorse(_ actor: Account, _ target: Account, _ on: Bool) async throws -> Relationship {
        let now = clock.nowMilliseconds()
        return try await database.write { db in
            if on {
                guard try await db.raw("SELECT 1 AS x FROM follows WHERE account_id = \(bind: actor.id) AND target_id = \(bind: target.id)").first() != nil else {
                    throw CoreError.invalid("endorse_not_followed", field: "id")
                }
                let count = try await db.raw("SELECT COUNT(*) AS n FROM endorsements WHERE account_id = \(bind: actor.id)").first()?.decode(column: "n", as: Int.self) ?? 0
                guard count < Self.maxEndorsements else { throw CoreError.invalid("endorse_limit", field: "id") }
                try await db.raw("""
                    INSERT INTO endorsements (account_id, target_id, created_at) VALUES (\(bind: actor.id), \(bind: target.id), \(bind: now)) ON CONFLICT DO NOTHING
                    """).run()
            } else {
                try await db.raw("DELETE FROM endorsements WHERE account_id = \(bind: actor.id) AND target_id = \(bind: target.id)").run()
            }
            return try await Self.relationship(actor.id, target.id, db: db)
        }
    }

    /// The active members `account` endorses, most recent first.
    public func endorsements(of account: Int64) async throws -> [Account] {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: AccountRow.joinedColumns) FROM endorsements e JOIN accounts a ON a.id = e.target_id
                WHERE e.account_id = \(bind: account) AND a.status = 'active' ORDER BY e.created_at DESC
                """).all().map(AccountRow.decode)
        }
    }
}
