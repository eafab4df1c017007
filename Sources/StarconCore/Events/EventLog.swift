import Foundation
import Logging
import NIOConcurrencyHelpers
import SQLKit

/// The transactional event log: the one way a change reaches whoever is watching, on this node and every
/// other one on the same store.
///
/// A service makes its change and adds its events to the transaction's `EventOutbox` (`write`); as the
/// transaction's last statements the events get consecutive places from `event_clock` and are stored in
/// `events`, so they commit or roll back with the change. Taking the clock last holds its row lock only
/// from there to COMMIT, and makes sequence order commit order on every node: a reader that has seen place N
/// has seen every place below it, and a rolled-back transaction leaves no gap (its clock update rolls back
/// too).
///
/// Delivery: each node reads the log forward from its cursor (`deliverNew`), reads back once what the events
/// name (a message, a typist), and publishes them on its `EventBus` in order. It is woken after each local
/// commit and by `Database.watchForeignCommits` (PostgreSQL's LISTEN/NOTIFY, or the SQLite file changing
/// under another process), so a lost notification, a dropped connection or a restart loses nothing: the next
/// wake-up reads everything after the cursor. A gap below the cursor's next place means the log was pruned
/// past it; subscribers are then told to reload (`.reload`).
public final class EventLog: Sendable {
    public let bus: EventBus
    let database: any Database
    let clock: Clock
    private let logger: Logger
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let state = NIOLockedValueBox(State())

    private struct State {
        var cursor: Int64 = 0
        var tasks: [Task<Void, Never>] = []
        var started = false
    }

    static let batchSize = 500
    /// How long events are kept (milliseconds; `STARCON_EVENT_RETENTION_SECONDS`, default one hour): a node
    /// cut off from the store for less catches up without a reload. Messages themselves are never pruned
    /// (clients resume from the `messages` table), so this bounds only the log's own size.
    public static let defaultRetention: Int64 = {
        Int64(ProcessInfo.processInfo.environment["STARCON_EVENT_RETENTION_SECONDS"].flatMap { Int($0) } ?? 3_600) * 1000
    }()
    /// NOTIFY channel on PostgreSQL.
    static let channel = "starcon_events"

    init(database: any Database, clock: Clock, bus: EventBus, logger: Logger) {
        self.database = database
        self.clock = clock
        self.bus = bus
        self.logger = logger
        (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// The place of the newest delivered event on this node.
    public var cursor: Int64 { state.withLockedValue { $0.cursor } }

    // MARK: Writing

    /// Runs `body` in one write transaction; the events it adds to the outbox are stored in the same
    /// transaction and delivered once it has committed. Pass an outbox to learn the places they were given.
    public func write<T: Sendable>(outbox: EventOutbox = EventOutbox(),
                                   _ body: @escaping @Sendable (any SQLDatabase, EventOutbox) async throws -> T) async throws -> T {
        let engine = database.engine, now = clock.nowMilliseconds()
        let result = try await database.write { db in
            _ = outbox.take()
            let value = try await body(db, outbox)
            let (events, stamps) = outbox.take()
            outbox.assign(try await Self.append(events, stamps: stamps, engine: engine, now: now, db: db))
            return value
        }
        if outbox.stored { wake.yield() }
        return result
    }

    /// Stores `events` at the next places of the clock; returns the places.
    static func append(_ events: [Event], stamps: [(event: Int, table: EventOutbox.StampedTable, id: Int64)],
                       engine: DatabaseEngine, now: Int64, db: any SQLDatabase) async throws -> [Int64] {
        guard !events.isEmpty else { return [] }
        if engine == .postgres { return try await appendOnPostgres(events, stamps: stamps, now: now, db: db) }
        guard let last = try await db.raw("""
            UPDATE event_clock SET seq = seq + \(bind: events.count) WHERE id = 1 RETURNING seq
            """).first()?.decode(column: "seq", as: Int64.self) else { throw EventLogError.noClock }
        let first = last - Int64(events.count) + 1
        let rows = events.enumerated().map { index, event -> any SQLExpression in
            let stored = StoredEvent(event)
            return SQLGroupExpression([SQLBind(first + Int64(index)), SQLBind(stored.kind), SQLBind(stored.audience),
                                       SQLBind(stored.body), SQLBind(now)])
        }
        try await db.raw("INSERT INTO events (seq, kind, audience, body, created_at) VALUES \(SQLList(rows))").run()
        for stamp in stamps {
            try await db.raw("UPDATE \(unsafeRaw: stamp.table.rawValue) SET seq = \(bind: first + Int64(stamp.event)) WHERE id = \(bind: stamp.id)").run()
        }
        return Array(first...last)
    }

    /// The same in one statement, so the clock's row lock is held for one round trip and the COMMIT: the
    /// clock, the rows, the stamps and the NOTIFY (delivered to every listening node when, and only if,
    /// this transaction commits) as data-modifying CTEs.
    static func appendOnPostgres(_ events: [Event], stamps: [(event: Int, table: EventOutbox.StampedTable, id: Int64)],
                                 now: Int64, db: any SQLDatabase) async throws -> [Int64] {
        let count = Int64(events.count)
        let rows = events.enumerated().map { index, event -> any SQLExpression in
            let stored = StoredEvent(event)
            return SQLGroupExpression([SQLBind(Int64(index + 1)), SQLBind(stored.kind), SQLBind(stored.audience), SQLBind(stored.body)])
        }
        let stamping = stamps.enumerated().map { index, stamp -> any SQLExpression in
            let table = stamp.table.rawValue
            return SQLQueryString("""
                , s\(unsafeRaw: String(index)) AS (UPDATE \(unsafeRaw: table) SET seq = clock.seq - \(bind: count) + \(bind: Int64(stamp.event + 1))
                  FROM clock WHERE \(unsafeRaw: table).id = \(bind: stamp.id))
                """)
        }
        guard let last = try await db.raw("""
            WITH clock AS (UPDATE event_clock SET seq = seq + \(bind: count) WHERE id = 1 RETURNING seq),
                 stored AS (INSERT INTO events (seq, kind, audience, body, created_at)
                            SELECT clock.seq - \(bind: count) + v.k, v.kind, v.audience, v.body, \(bind: now)
                            FROM clock, (VALUES \(SQLList(rows))) AS v (k, kind, audience, body))
                 \(SQLList(stamping, separator: SQLRaw(" ")))
            SELECT clock.seq AS seq, pg_notify(\(bind: channel), clock.seq::text) AS notified FROM clock
            """).first()?.decode(column: "seq", as: Int64.self) else { throw EventLogError.noClock }
        return Array((last - count + 1)...last)
    }

    // MARK: Delivering

    /// Starts delivering from the log's current end (earlier events were for subscribers that are gone) and
    /// listens for other processes' commits.
    /// `cursor` nil: the log's current end.
    func start(at cursor: Int64? = nil) async throws {
        let clock = try await database.read { db in try await Self.clockValue(db) }
        let end = cursor ?? clock
        let tasks: [Task<Void, Never>] = [
            Task { [self] in
                for await _ in wakeups { await deliverNew() }
            },
            Task { [self, database] in
                await database.watchForeignCommits { [weak self] in self?.wake.yield() }
            },
        ]
        state.withLockedValue { state in
            state.cursor = end
            state.tasks = tasks
            state.started = true
        }
    }

    func stop() async {
        let tasks = state.withLockedValue { state in
            defer { state.tasks = [] }
            return state.tasks
        }
        wake.finish()
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    /// Asks for a delivery round now (after a commit, a notification, a reconnection).
    func poke() { wake.yield() }

    /// Returns once every event committed before the call has been published on this node's bus.
    public func waitUntilDelivered() async throws {
        let target = try await database.read { db in try await Self.clockValue(db) }
        poke()
        while cursor < target { try await Task.sleep(for: .milliseconds(2)) }
    }

    /// Reads and publishes everything after the cursor, in order. While the store is unreachable it tries
    /// again every half second; the cursor stays where it was, so nothing is skipped.
    func deliverNew() async {
        var failures = 0
        while !Task.isCancelled {
            let cursor = self.cursor
            do {
                let batch = try await database.read { db in try await Self.read(after: cursor, limit: Self.batchSize, db: db) }
                if let first = batch.firstSeq, first > cursor + 1 {
                    logger.warning("event log pruned past this node's cursor: subscribers reload",
                                   metadata: ["cursor": .stringConvertible(cursor), "next": .stringConvertible(first)])
                    bus.publish(Event(audience: .everyone, payload: .reload))
                }
                for event in batch.events { bus.publish(event) }
                if let last = batch.last { state.withLockedValue { $0.cursor = last } }
                if failures > 0 { logger.info("event log delivery resumed") }
                failures = 0
                if batch.count < Self.batchSize { return }
            } catch {
                if Task.isCancelled { return }
                if failures == 0 { logger.warning("event log unreachable, retrying", metadata: ["error": .string("\(error)")]) }
                failures += 1
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// A batch read from the log: the deliverable events, the first and last places read, how many rows.
    struct Batch {
        var events: [Event] = []
        var firstSeq: Int64?
        var last: Int64?
        var count = 0
    }

    static func read(after cursor: Int64, limit: Int, db: any SQLDatabase) async throws -> Batch {
        var batch = Batch()
        var rows: [(Int64, StoredEvent)] = []
        for row in try await db.raw("""
            SELECT seq, kind, audience, body FROM events WHERE seq > \(bind: cursor) ORDER BY seq LIMIT \(bind: limit)
            """).all() {
            rows.append((try row.decode(column: "seq", as: Int64.self),
                         StoredEvent(kind: try row.decode(column: "kind", as: String.self),
                                     audience: try row.decode(column: "audience", as: String.self),
                                     body: try row.decode(column: "body", as: String.self))))
        }
        guard let first = rows.first, let last = rows.last else { return batch }
        batch.firstSeq = first.0
        batch.last = last.0
        batch.count = rows.count
        var messageIDs: [Int64] = [], accountIDs: [Int64] = [], conversationIDs: Set<Int64> = []
        for (_, stored) in rows {
            if case .conversation(let id) = stored.decodedAudience { conversationIDs.insert(id) }
            switch stored.needs {
            case .message(let id): messageIDs.append(id)
            case .account(let id): accountIDs.append(id)
            case .nothing: break
            }
        }
        var messages: [Int64: Message] = [:], accounts: [Int64: Account] = [:]
        for message in try await MessengerService.load(ids: messageIDs, db: db) { messages[message.id] = message }
        for account in try await AccountService.find(ids: accountIDs, db: db) { accounts[account.id] = account }
        let members = try await MessengerService.memberIDs(of: Array(conversationIDs), db: db)
        batch.events = rows.compactMap { seq, stored in stored.event(seq: seq, messages: messages, accounts: accounts, members: members) }
        return batch
    }

    static func clockValue(_ db: any SQLDatabase) async throws -> Int64 {
        guard let value = try await db.raw("SELECT seq FROM event_clock WHERE id = 1").first()?.decode(column: "seq", as: Int64.self) else {
            throw EventLogError.noClock
        }
        return value
    }

    // MARK: Pruning

    /// Deletes events older than `olderThan` milliseconds, always keeping the newest one (so the horizon is
    /// known), in transactions of at most `pruneChunk` rows so the writer is never held long. Returns how
    /// many went.
    @discardableResult
    public func prune(olderThan age: Int64) async throws -> Int {
        let cutoff = clock.nowMilliseconds() - age
        var total = 0
        while true {
            let deleted = try await database.write { db in
                try await db.raw("""
                    DELETE FROM events WHERE seq IN (
                        SELECT seq FROM events WHERE created_at < \(bind: cutoff) AND seq < (SELECT MAX(seq) FROM events)
                        ORDER BY seq LIMIT \(bind: Self.pruneChunk))
                    RETURNING seq
                    """).all().count
            }
            total += deleted
            if deleted < Self.pruneChunk { return total }
        }
    }

    static let pruneChunk = 5_000

    /// The oldest place still in the log (nil when it is empty).
    public func horizon() async throws -> Int64? {
        try await database.read { db in
            try await db.raw("SELECT MIN(seq) AS n FROM events").first()?.decode(column: "n", as: Int64?.self) ?? nil
        }
    }
}

enum EventLogError: Error, CustomStringConvertible {
    case noClock
    var description: String { "the event clock row is missing (run `starcon migrate`)" }
}
