import SQLKit

/// At most `limit` events per key in a fixed window, counted in the store (`rate_counters`), so a limit
/// holds across restarts, surfaces and every node on one PostgreSQL.
///
/// `take` counts the event first and compares afterwards, in one INSERT … ON CONFLICT DO UPDATE … RETURNING:
/// the row lock (PostgreSQL) or the single writer (SQLite) serialises concurrent takers, so however many
/// arrive at once, no more than `limit` of them are let through. A refused take throws, which rolls the
/// caller's write transaction back, so being refused does not count.
public struct RateLimit: Sendable {
    public var limit: Int
    public var windowMilliseconds: Int64

    public init(limit: Int, windowMilliseconds: Int64) {
        self.limit = limit
        self.windowMilliseconds = windowMilliseconds
    }

    /// Counts one event under `key`; throws `.throttled` (with `messageKey` and the seconds until the window
    /// ends) when that makes more than `limit` in the current window. Call inside a write transaction.
    func take(_ key: String, messageKey: String, db: any SQLDatabase, now: Int64) async throws {
        let windowOpen = now - windowMilliseconds
        let row = try await db.raw("""
            INSERT INTO rate_counters (counter_key, events, window_start) VALUES (\(bind: key), 1, \(bind: now))
            ON CONFLICT (counter_key) DO UPDATE SET
                events = CASE WHEN rate_counters.window_start <= \(bind: windowOpen) THEN 1 ELSE rate_counters.events + 1 END,
                window_start = CASE WHEN rate_counters.window_start <= \(bind: windowOpen) THEN \(bind: now) ELSE rate_counters.window_start END
            RETURNING events, window_start
            """).first()!
        let events = try row.decode(column: "events", as: Int.self)
        let windowEnd = try row.decode(column: "window_start", as: Int64.self) + windowMilliseconds
        if events > limit {
            throw CoreError(.throttled, messageKey, retryAfterSeconds: Int((windowEnd - now + 999) / 1000))
        }
    }

    /// Hands one taken event back (the attempt turned out not to count).
    static func giveBack(_ key: String, db: any SQLDatabase) async throws {
        try await db.raw("UPDATE rate_counters SET events = events - 1 WHERE counter_key = \(bind: key) AND events > 0").run()
    }

    static func clear(_ key: String, db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM rate_counters WHERE counter_key = \(bind: key)").run()
    }

    /// Forgets counters whose window began before `before` (none is longer than a day), so keys an attacker
    /// invents do not pile up.
    static func prune(before: Int64, db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM rate_counters WHERE window_start < \(bind: before)").run()
    }
}
