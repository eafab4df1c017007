import SQLKit

/// Direct statuses as Mastodon's conversations: each participant's view of a thread of direct statuses,
/// with its latest status and whether they have read it.
public struct DirectConversation: Sendable, Equatable {
    /// The thread's first direct status.
    public let id: Int64
    public let lastStatus: StatusView
    public let unread: Bool
    /// The other participants (the latest status's author and the members it mentions, less the viewer).
    public let accounts: [Account]
}

enum Conversations {
    /// Records a new direct status in its participants' conversations (inside the posting transaction).
    static func record(statusID: Int64, author: Int64, inReplyTo: Int64?, recipients: [Int64], outbox: EventOutbox, db: any SQLDatabase) async throws {
        var root = statusID
        var next = inReplyTo
        var steps = 0
        while let parent = next, steps < 100,
              let row = try await db.raw("SELECT id, in_reply_to_id, visibility FROM statuses WHERE id = \(bind: parent)").first(),
              try row.decode(column: "visibility", as: String.self) == Visibility.direct.rawValue {
            root = parent
            next = try row.decode(column: "in_reply_to_id", as: Int64?.self)
            steps += 1
        }
        let participants = Array(Set(recipients + [author]))
        for account in participants {
            try await db.raw("""
                INSERT INTO account_conversations (account_id, root_id, last_status_id, unread)
                VALUES (\(bind: account), \(bind: root), \(bind: statusID), \(bind: account == author ? 0 : 1))
                ON CONFLICT (account_id, root_id) DO UPDATE SET last_status_id = excluded.last_status_id, unread = excluded.unread
                """).run()
        }
        outbox.add(Event(to: participants, .feed(.direct(statusID: statusID))))
    }
}

extension FeedService {
    /// `viewer`'s conversations, latest activity first; paged by the latest status's id.
    public func conversations(of viewer: Account, page: PageRequest = PageRequest()) async throws -> [DirectConversation] {
        let rows = try await database.read { db in
            let (bounds, ascending) = page.bounds("last_status_id")
            return try await db.raw("""
                SELECT root_id, last_status_id, unread FROM account_conversations WHERE account_id = \(bind: viewer.id) AND \(bounds)
                ORDER BY last_status_id \(unsafeRaw: ascending ? "ASC" : "DESC") LIMIT \(bind: page.limit)
                """).all().map { (try $0.decode(column: "root_id", as: Int64.self), try $0.decode(column: "last_status_id", as: Int64.self),
                                  try $0.decode(column: "unread", as: Int.self) != 0) }
        }
        var result: [DirectConversation] = []
        for (root, last, unread) in (page.bounds("x").ascending ? rows.reversed() : rows) {
            guard let view = try await view(id: last, viewer: viewer) else { continue }
            let others = ([view.status.author] + view.status.mentions).filter { $0.id != viewer.id }
            var seen = Set<Int64>()
            result.append(DirectConversation(id: root, lastStatus: view, unread: unread, accounts: others.filter { seen.insert($0.id).inserted }))
        }
        return result
    }

    public func conversation(_ id: Int64, of viewer: Account) async throws -> DirectConversation? {
        let last = try await database.read { db in
            try await db.raw("SELECT last_status_id FROM account_conversations WHERE account_id = \(bind: viewer.id) AND root_id = \(bind: id)").first()?
                .decode(column: "last_status_id", as: Int64.self)
        }
        guard let last else { return nil }
        return try await conversations(of: viewer, page: PageRequest(maxID: last + 1, limit: 1)).first { $0.id == id }
    }

    public func markConversationRead(_ id: Int64, by viewer: Account) async throws -> DirectConversation {
        let changed = try await database.write { db in
            try await db.raw("UPDATE account_conversations SET unread = 0 WHERE account_id = \(bind: viewer.id) AND root_id = \(bind: id) RETURNING root_id").first() != nil
        }
        guard changed, let conversation = try await conversation(id, of: viewer) else { throw CoreError.notFound }
        return conversation
    }

    /// Removes the conversation from `viewer`'s list (the statuses stay; a new one brings it back).
    public func removeConversation(_ id: Int64, by viewer: Account) async throws {
        let deleted = try await database.write { db in
            try await db.raw("DELETE FROM account_conversations WHERE account_id = \(bind: viewer.id) AND root_id = \(bind: id) RETURNING root_id").first() != nil
        }
        guard deleted else { throw CoreError.notFound }
    }
}
