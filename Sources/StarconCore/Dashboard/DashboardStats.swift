import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// The admin dashboard's figures, the same ones `/metrics` exports: members by kind and status, and per UTC
/// day over the last 30 days: sign-ups, active members (who used a web session or an API token that day,
/// `account_active_days`), posts, messages, articles and mail; storage used; the open report count.
///
/// Day counts read each table from the lowest id of the first day (ids are time-ordered), so they are a
/// primary-key range, not a scan. A snapshot is kept for `cacheLifetime`, so a Prometheus scraper and a
/// refreshing admin cost the store one set of queries a minute at most.
public final class DashboardStats: Sendable {
    let database: any Database
    let clock: Clock
    let mediaDirectory: String
    private let cached = NIOLockedValueBox<Snapshot?>(nil)
    static let cacheLifetime: Int64 = 60_000
    public static let days = 30
    static let day: Int64 = 86_400_000

    init(database: any Database, clock: Clock, mediaDirectory: String) {
        self.database = database
        self.clock = clock
        self.mediaDirectory = mediaDirectory
    }

    public struct Day: Sendable, Equatable {
        /// Its first millisecond (UTC midnight).
        public let start: Int64
        public var signUps = 0, activeMembers = 0, posts = 0, messages = 0, articles = 0, mail = 0

        public init(start: Int64) { self.start = start }
    }

    public struct Snapshot: Sendable {
        public let takenAt: Int64
        /// Active (not suspended, pending or ended) members by kind, every kind present.
        public let membersByKind: [(kind: AccountKind, count: Int)]
        /// Every account by status.
        public let accountsByStatus: [(status: AccountStatus, count: Int)]
        /// Oldest first, the last one today.
        public let days: [Day]
        public let databaseBytes: Int64
        public let mediaBytes: Int64
        public let mailBytes: Int64
        /// Nil until moderation reports exist in the store.
        public let openReports: Int?
    }

    /// Records that a member used the network today (once per member and day; the callers do it at most once
    /// a minute per session or token).
    static func markActive(_ accountID: Int64, now: Int64, db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO account_active_days (day, account_id) VALUES (\(bind: now / day * day), \(bind: accountID)) ON CONFLICT DO NOTHING
            """).run()
    }

    public func snapshot() async throws -> Snapshot {
        let now = clock.nowMilliseconds()
        if let snapshot = cached.withLockedValue({ $0 }), now - snapshot.takenAt < Self.cacheLifetime { return snapshot }
        let snapshot = try await take(now: now)
        cached.withLockedValue { $0 = snapshot }
        return snapshot
    }

    private func take(now: Int64) async throws -> Snapshot {
        let first = now / Self.day * Self.day - Int64(Self.days - 1) * Self.day
        // A minute's margin below the first day: an id's millisecond can run a little ahead of its created_at.
        let lowestID = max(0, first - 60_000 - IDGenerator.epochMilliseconds) << 22
        let engine = database.engine
        let (days, kinds, statuses, databaseBytes, mailBytes) = try await database.read { db in
            var days = (0..<Self.days).map { Day(start: first + Int64($0) * Self.day) }
            func perDay(_ table: String, time: String, distinct: String? = nil, extra: String = "",
                        _ set: (inout Day, Int) -> Void) async throws {
                let count = distinct.map { "COUNT(DISTINCT \($0))" } ?? "COUNT(*)"
                let idRange = table == "account_active_days" ? "" : "id >= \(lowestID) AND "
                for row in try await db.raw("""
                    SELECT (\(unsafeRaw: time) - \(bind: first)) / \(unsafeRaw: String(Self.day)) AS d, \(unsafeRaw: count) AS n FROM \(unsafeRaw: table)
                    WHERE \(unsafeRaw: idRange)\(unsafeRaw: time) >= \(bind: first) \(unsafeRaw: extra) GROUP BY d
                    """).all() {
                    let index = Int(try row.decode(column: "d", as: Int64.self))
                    if days.indices.contains(index) { set(&days[index], Int(try row.decode(column: "n", as: Int64.self))) }
                }
            }
            try await perDay("accounts", time: "created_at") { $0.signUps = $1 }
            try await perDay("account_active_days", time: "day", distinct: "account_id") { $0.activeMembers = $1 }
            try await perDay("statuses", time: "created_at", extra: "AND reblog_of_id IS NULL") { $0.posts = $1 }
            try await perDay("messages", time: "created_at") { $0.messages = $1 }
            try await perDay("articles", time: "posted_at") { $0.articles = $1 }
            try await perDay("mail_messages", time: "received_at") { $0.mail = $1 }
            var kinds: [AccountKind: Int] = [:]
            for row in try await db.raw("SELECT kind, COUNT(*) AS n FROM accounts WHERE status = 'active' GROUP BY kind").all() {
                if let kind = AccountKind(rawValue: try row.decode(column: "kind", as: String.self)) {
                    kinds[kind] = Int(try row.decode(column: "n", as: Int64.self))
                }
            }
            var statuses: [AccountStatus: Int] = [:]
            for row in try await db.raw("SELECT status, COUNT(*) AS n FROM accounts GROUP BY status").all() {
                if let status = AccountStatus(rawValue: try row.decode(column: "status", as: String.self)) {
                    statuses[status] = Int(try row.decode(column: "n", as: Int64.self))
                }
            }
            let size: SQLQueryString = engine == .postgres
                ? "SELECT pg_database_size(current_database())::BIGINT AS n"
                : "SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()"
            let databaseBytes = try await db.raw(size).first()?.decode(column: "n", as: Int64.self) ?? 0
            let mailBytes = try await db.raw("SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS n FROM mail_messages").first()?.decode(column: "n", as: Int64.self) ?? 0
            return (days, kinds, statuses, databaseBytes, Int64(mailBytes))
        }
        return Snapshot(takenAt: now, membersByKind: AccountKind.allCases.map { ($0, kinds[$0] ?? 0) },
                        accountsByStatus: AccountStatus.allCases.map { ($0, statuses[$0] ?? 0) }, days: days,
                        databaseBytes: databaseBytes, mediaBytes: Self.directorySize(mediaDirectory), mailBytes: mailBytes,
                        openReports: nil)
    }

    /// Bytes of the regular files under `path` (the media store), 0 when it does not exist.
    static func directorySize(_ path: String) -> Int64 {
        guard let walker = FileManager.default.enumerator(at: URL(fileURLWithPath: path), includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) else {
            return 0
        }
        var total: Int64 = 0
        for case let url as URL in walker {
            guard let values = try? url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey]), values.isRegularFile == true else { continue }
            total += Int64(values.fileSize ?? 0)
        }
        return total
    }
}
