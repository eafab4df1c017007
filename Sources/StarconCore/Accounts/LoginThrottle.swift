import SQLKit

/// Counts failed sign-ins per account and per client address in the database, so limits survive a
/// restart and hold across every surface and every node.
public struct LoginThrottle: Sendable {
    public struct Limit: Sendable {
        public var failures: Int
        public var windowMilliseconds: Int64
    }
    public var perAccount = Limit(failures: 5, windowMilliseconds: 15 * 60_000)
    public var perAddress = Limit(failures: 30, windowMilliseconds: 15 * 60_000)

    public init() {}

    static func accountKey(_ username: String) -> String { "account:" + username.lowercased() }
    static func addressKey(_ address: String) -> String { "address:" + address }

    /// Throws `.throttled` when either counter is over its limit.
    func check(username: String, address: String, db: any SQLDatabase, now: Int64) async throws {
        for (key, limit) in [(Self.accountKey(username), perAccount), (Self.addressKey(address), perAddress)] {
            guard let row = try await db.raw("SELECT failures, window_start FROM login_failures WHERE throttle_key = \(bind: key)").first() else { continue }
            let failures = try row.decode(column: "failures", as: Int.self)
            let windowEnd = try row.decode(column: "window_start", as: Int64.self) + limit.windowMilliseconds
            if failures >= limit.failures && now < windowEnd {
                throw CoreError(.throttled, "login_throttled", retryAfterSeconds: Int((windowEnd - now + 999) / 1000))
            }
        }
    }

    func recordFailure(username: String, address: String, db: any SQLDatabase, now: Int64) async throws {
        for (key, limit) in [(Self.accountKey(username), perAccount), (Self.addressKey(address), perAddress)] {
            let windowOpen = now - limit.windowMilliseconds
            try await db.raw("""
                INSERT INTO login_failures (throttle_key, failures, window_start) VALUES (\(bind: key), 1, \(bind: now))
                ON CONFLICT (throttle_key) DO UPDATE SET
                    failures = CASE WHEN login_failures.window_start < \(bind: windowOpen) THEN 1 ELSE login_failures.failures + 1 END,
                    window_start = CASE WHEN login_failures.window_start < \(bind: windowOpen) THEN \(bind: now) ELSE login_failures.window_start END
                """).run()
        }
    }

    func recordSuccess(username: String, db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM login_failures WHERE throttle_key = \(bind: Self.accountKey(username))").run()
    }
}
