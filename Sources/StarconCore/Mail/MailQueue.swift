import Foundation
import SQLKit

/// Mail waiting for another domain: one row per recipient in `mail_queue`, the bytes once in
/// `mail_queue_messages`, written in the transaction that accepted the message (so a `250` is never lost).
///
/// Any node delivers: `claim` takes due rows by setting `claimed_by`/`claimed_until` in one statement (rows
/// picked `FOR UPDATE SKIP LOCKED` on PostgreSQL, as `JobRunner` does; SQLite's single writer does the same),
/// so two nodes never take one row, and a node killed mid-delivery leaves a claim that runs out after
/// `lease`, when another node takes the row. A temporary failure (4xx, no connection) waits the next step of
/// `retrySchedule`; after the last step, or on a permanent failure (5xx), the sender gets a bounce (an RFC
/// 3464 delivery status notification) in their INBOX and the row goes.
public struct MailQueue: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    let log: EventLog
    let mail: MailService
    /// Milliseconds to wait after each failed attempt; its length is the number of retries.
    /// `STARCON_MAIL_RETRY_SECONDS` (comma-separated seconds) replaces the default, about five days.
    public let retrySchedule: [Int64]
    /// How long a claim holds (`STARCON_MAIL_QUEUE_LEASE_SECONDS`, default 300).
    public let lease: Int64

    static let defaultSchedule: [Int64] = [60, 300, 900, 1_800, 3_600, 7_200, 14_400, 28_800, 43_200, 86_400, 86_400, 86_400, 86_400]
        .map { $0 * 1000 }

    init(database: any Database, ids: IDGenerator, clock: Clock, log: EventLog, mail: MailService,
         retrySchedule: [Int64]? = nil, lease: Int64? = nil) {
        self.database = database
        self.ids = ids
        self.clock = clock
        self.log = log
        self.mail = mail
        let env = ProcessInfo.processInfo.environment
        let fromEnv = env["STARCON_MAIL_RETRY_SECONDS"].map {
            $0.split(separator: ",").compactMap { Double($0.strippingEdges(of: " ")) }.map { Int64($0 * 1000) }
        }
        self.retrySchedule = retrySchedule ?? (fromEnv?.isEmpty == false ? fromEnv! : Self.defaultSchedule)
        self.lease = lease ?? Int64(env["STARCON_MAIL_QUEUE_LEASE_SECONDS"].flatMap { Int($0) } ?? 300) * 1000
    }

    /// One recipient's delivery, as claimed.
    public struct Item: Sendable, Equatable {
        public let id: Int64
        public let messageID: Int64
        public let accountID: Int64?
        public let sender: String
        public let recipient: String
        public let domain: String
        public let attempts: Int
        public let raw: [UInt8]
    }

    /// A row as it stands, for `starcon` and the tests.
    public struct Entry: Sendable, Equatable {
        public let id: Int64
        public let recipient: String
        public let attempts: Int
        public let nextAttemptAt: Int64
        public let claimedBy: String?
        public let lastError: String
    }

    /// Queue rows for `recipients`, due now. In the caller's write transaction.
    static func enqueue(_ raw: [UInt8], accountID: Int64?, sender: String, recipients: [MailAddressText], ids: IDGenerator,
                        now: Int64, db: any SQLDatabase) async throws {
        guard !recipients.isEmpty else { return }
        let messageID = ids.next()
        try await db.raw("INSERT INTO mail_queue_messages (id, raw, created_at) VALUES (\(bind: messageID), \(bind: Data(raw)), \(bind: now))").run()
        for recipient in recipients {
            try await db.raw("""
                INSERT INTO mail_queue (id, message_id, account_id, sender, recipient, domain, next_attempt_at, created_at)
                VALUES (\(bind: ids.next()), \(bind: messageID), \(bind: accountID), \(bind: sender), \(bind: recipient.description),
                    \(bind: recipient.domain), \(bind: now), \(bind: now))
                """).run()
        }
    }

    /// Claims up to `limit` due rows for `node`.
    public func claim(node: String, limit: Int = 20) async throws -> [Item] {
        let now = clock.nowMilliseconds(), lease = self.lease
        let skipLocked = database.engine == .postgres ? "FOR UPDATE SKIP LOCKED" : ""
        return try await database.write { db in
            let rows = try await db.raw("""
                UPDATE mail_queue SET claimed_by = \(bind: node), claimed_until = \(bind: now + lease)
                WHERE id IN (SELECT id FROM mail_queue WHERE next_attempt_at <= \(bind: now) AND claimed_until < \(bind: now)
                             ORDER BY next_attempt_at LIMIT \(bind: max(1, limit)) \(unsafeRaw: skipLocked))
                  AND claimed_until < \(bind: now)
                RETURNING id, message_id, account_id, sender, recipient, domain, attempts
                """).all()
            var raws: [Int64: [UInt8]] = [:]
            var items: [Item] = []
            for row in rows {
                let messageID = try row.decode(column: "message_id", as: Int64.self)
                if raws[messageID] == nil {
                    let data = try await db.raw("SELECT raw FROM mail_queue_messages WHERE id = \(bind: messageID)").first()?
                        .decode(column: "raw", as: Data.self) ?? Data()
                    raws[messageID] = [UInt8](data)
                }
                items.append(Item(id: try row.decode(column: "id", as: Int64.self), messageID: messageID,
                                  accountID: try row.decode(column: "account_id", as: Int64?.self),
                                  sender: try row.decode(column: "sender", as: String.self),
                                  recipient: try row.decode(column: "recipient", as: String.self),
                                  domain: try row.decode(column: "domain", as: String.self),
                                  attempts: try row.decode(column: "attempts", as: Int.self), raw: raws[messageID]!))
            }
            return items.sorted { $0.id < $1.id }
        }
    }

    /// When the next row falls due (or its claim runs out); nil for an empty queue.
    public func nextDue() async throws -> Int64? {
        try await database.read { db in
            try await db.raw("""
                SELECT MIN(CASE WHEN claimed_until > next_attempt_at THEN claimed_until ELSE next_attempt_at END) AS due FROM mail_queue
                """).first()?.decode(column: "due", as: Int64?.self) ?? nil
        }
    }

    /// The receiving server took it: the row goes.
    public func delivered(_ item: Item, node: String) async throws {
        try await database.write { db in try await Self.remove(item, node: node, db: db) }
    }

    /// A temporary failure: tried again after the next step of the schedule, or bounced after the last.
    /// Returns whether it bounced.
    @discardableResult
    public func deferred(_ item: Item, node: String, reason: String) async throws -> Bool {
        guard item.attempts < retrySchedule.count else {
            try await failed(item, node: node, reason: reason, permanent: false)
            return true
        }
        let next = clock.nowMilliseconds() + retrySchedule[item.attempts]
        let reason = Self.clip(reason)
        try await database.write { db in
            try await db.raw("""
                UPDATE mail_queue SET attempts = attempts + 1, next_attempt_at = \(bind: next), claimed_by = NULL, claimed_until = 0,
                    last_error = \(bind: reason)
                WHERE id = \(bind: item.id) AND claimed_by = \(bind: node)
                """).run()
        }
        return false
    }

    /// A permanent failure (or the last retry failed): a bounce to the sender's INBOX and the row goes,
    /// in one transaction.
    public func failed(_ item: Item, node: String, reason: String, permanent: Bool = true) async throws {
        let now = clock.nowMilliseconds()
        let bounce = MailBounce.report(original: item.raw, recipient: item.recipient, reason: Self.clip(reason), permanent: permanent,
                                       domain: mail.domain, messageID: "<\(ids.next()).bounce@\(mail.domain)>", now: now)
        let mail = self.mail
        try await log.write { db, outbox in
            guard try await db.raw("SELECT id FROM mail_queue WHERE id = \(bind: item.id) AND claimed_by = \(bind: node)").first() != nil else { return }
            try await Self.remove(item, node: node, db: db)
            if let account = item.accountID {
                _ = try await mail.deliver(bounce, to: [account], sentBy: nil, db: db, outbox: outbox)
            }
        }
    }

    static func remove(_ item: Item, node: String, db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM mail_queue WHERE id = \(bind: item.id) AND claimed_by = \(bind: node)").run()
        try await db.raw("""
            DELETE FROM mail_queue_messages WHERE id = \(bind: item.messageID)
            AND NOT EXISTS (SELECT 1 FROM mail_queue q WHERE q.message_id = mail_queue_messages.id)
            """).run()
    }

    static func clip(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init).prefix(500))
    }

    /// Every row, oldest first.
    public func entries() async throws -> [Entry] {
        try await database.read { db in
            try await db.raw("SELECT id, recipient, attempts, next_attempt_at, claimed_by, last_error FROM mail_queue ORDER BY id")
                .all().map { row in
                    Entry(id: try row.decode(column: "id", as: Int64.self), recipient: try row.decode(column: "recipient", as: String.self),
                          attempts: try row.decode(column: "attempts", as: Int.self),
                          nextAttemptAt: try row.decode(column: "next_attempt_at", as: Int64.self),
                          claimedBy: try row.decode(column: "claimed_by", as: String?.self),
                          lastError: try row.decode(column: "last_error", as: String.self))
                }
        }
    }
}
