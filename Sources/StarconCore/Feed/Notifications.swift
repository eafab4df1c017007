import SQLKit

/// A notification of something another member did (Mastodon's types and names).
public struct Notification: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case mention, favourite, reblog, follow
        case followRequest = "follow_request"
        /// An emoji reaction, named as Pleroma and Akkoma clients know it.
        case reaction = "pleroma:emoji_reaction"
        /// A poll one made or voted in has ended.
        case poll
        /// A moderator decided on one's report (`reportOutcome` says what).
        case reportResolved = "report_resolved"
    }

    public let id: Int64
    public let kind: Kind
    public let from: Account
    public let statusID: Int64?
    /// The emoji of a reaction.
    public var emoji: String? = nil
    public let createdAt: Int64
    public let read: Bool
    /// For `reportResolved`: what the moderators decided.
    public var reportOutcome: ReportOutcome? = nil
}

/// Writing notifications, from inside the feed's transactions.
enum Notifications {
    /// Adds one, unless it is one's own doing (`evenOwn`: a poll's end is told to its author too) or the
    /// recipient blocked or muted the actor.
    static func add(to recipient: Int64, type: Notification.Kind, from actor: Int64, status: Int64?, emoji: String? = nil, ids: IDGenerator,
                    now: Int64, outbox: EventOutbox, db: any SQLDatabase, evenOwn: Bool = false) async throws {
        guard recipient != actor || evenOwn else { return }
        let silenced = try await db.raw("""
            SELECT 1 AS x FROM blocks WHERE account_id = \(bind: recipient) AND target_id = \(bind: actor)
            UNION ALL SELECT 1 AS x FROM mutes WHERE account_id = \(bind: recipient) AND target_id = \(bind: actor)
            """).first() != nil
        guard !silenced else { return }
        // Nothing from a thread the recipient muted.
        if let status, try await !FeedService.threadMutedAmong([status], account: recipient, db: db).isEmpty { return }
        let id = ids.next()
        outbox.add(Event(to: [recipient], .feed(.notification(id: id))))
        try await db.raw("""
            INSERT INTO notifications (id, account_id, type, from_account_id, status_id, emoji, created_at)
            VALUES (\(bind: id), \(bind: recipient), \(bind: type.rawValue), \(bind: actor), \(bind: status), \(bind: emoji), \(bind: now))
            """).run()
    }
}
