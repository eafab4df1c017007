import SQLKit

/// Where a member stopped reading a timeline (Mastodon's markers: `home` and `notifications`), so every
/// app and the web start from the same place.
public struct Marker: Sendable, Equatable {
    public let timeline: String
    public let lastReadID: Int64
    /// Counts the changes, so a client can tell whose write came last.
    public let version: Int64
    public let updatedAt: Int64
}

public struct MarkerService: Sendable {
    let database: any Database
    let clock: Clock

    public static let timelines: Set<String> = ["home", "notifications"]

    public init(database: any Database, clock: Clock) {
        self.database = database
        self.clock = clock
    }

    public func markers(of account: Account, timelines: Set<String>) async throws -> [Marker] {
        let wanted = timelines.intersection(Self.timelines)
        guard !wanted.isEmpty else { return [] }
        return try await database.read { db in
            try await db.raw("""
                SELECT timeline, last_read_id, version, updated_at FROM markers
                WHERE account_id = \(bind: account.id) AND timeline IN (\(SQLList(wanted.sorted().map { SQLBind($0) })))
                """).all().map(Self.decode)
        }
    }

    /// Sets the positions given (`timeline: last read id`), as Mastodon does: the last write wins.
    public func save(_ positions: [String: Int64], for account: Account) async throws -> [Marker] {
        guard positions.keys.allSatisfy(Self.timelines.contains), positions.values.allSatisfy({ $0 > 0 }) else {
            throw CoreError.invalid("marker_timeline", field: "timeline")
        }
        let now = clock.nowMilliseconds()
        try await database.write { db in
            for (timeline, id) in positions {
                try await db.raw("""
                    INSERT INTO markers (account_id, timeline, last_read_id, version, updated_at)
                    VALUES (\(bind: account.id), \(bind: timeline), \(bind: id), 1, \(bind: now))
                    ON CONFLICT (account_id, timeline) DO UPDATE SET last_read_id = excluded.last_read_id, version = markers.version + 1,
                        updated_at = excluded.updated_at
                    """).run()
                if timeline == "notifications" {
                    // The web's unread marks and the apps' marker are the same thing.
                    try await db.raw("UPDATE notifications SET read = 1 WHERE account_id = \(bind: account.id) AND id <= \(bind: id) AND read = 0").run()
                }
            }
        }
        return try await markers(of: account, timelines: Set(positions.keys))
    }

    /// Moves `timeline`'s position forward to `id` (never back: an older page read on the web, or a slower
    /// device, does not undo what was read elsewhere). Returns the position before, nil when there was none.
    @discardableResult
    public func advance(_ timeline: String, to id: Int64, for account: Account) async throws -> Int64? {
        guard Self.timelines.contains(timeline), id > 0 else { throw CoreError.invalid("marker_timeline", field: "timeline") }
        let now = clock.nowMilliseconds()
        return try await database.write { db in
            let before = try await db.raw("""
                SELECT last_read_id FROM markers WHERE account_id = \(bind: account.id) AND timeline = \(bind: timeline)
                """).first()?.decode(column: "last_read_id", as: Int64.self)
            guard before.map({ $0 < id }) ?? true else { return before }
            try await db.raw("""
                INSERT INTO markers (account_id, timeline, last_read_id, version, updated_at)
                VALUES (\(bind: account.id), \(bind: timeline), \(bind: id), 1, \(bind: now))
                ON CONFLICT (account_id, timeline) DO UPDATE SET last_read_id = excluded.last_read_id, version = markers.version + 1,
                    updated_at = excluded.updated_at
                WHERE markers.last_read_id < excluded.last_read_id
                """).run()
            if timeline == "notifications" {
                try await db.raw("UPDATE notifications SET read = 1 WHERE account_id = \(bind: account.id) AND id <= \(bind: id) AND read = 0").run()
            }
            return before
        }
    }

    private static func decode(_ row: any SQLRow) throws -> Marker {
        Marker(timeline: try row.decode(column: "timeline", as: String.self), lastReadID: try row.decode(column: "last_read_id", as: Int64.self),
               version: try row.decode(column: "version", as: Int64.self), updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }
}
