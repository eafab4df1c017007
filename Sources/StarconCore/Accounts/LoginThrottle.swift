import SQLKit

/// Limits password guessing on every surface (web form, OAuth password grant, NNTP, SMTP and IMAP sign-in,
/// and TOTP codes under "totp NAME"), counted in the store so the limits survive a restart and hold across
/// every node.
///
/// An attempt is counted before its password is checked (`reserve`), in the same statement that reads
/// the count, so attempts sent at the same moment cannot all slip under the limit: however many arrive in
/// parallel, at most `perAccountAddress.limit` passwords are verified for one account from one address.
///
/// Three counters, so that someone guessing cannot lock the owner out cheaply:
/// - one account from one address: the tight limit, the one a guesser meets first;
/// - one account from anywhere: higher and slower, against guessing from many addresses (it locks the
///   owner out too, but only after that many wrong passwords an hour);
/// - one address for any account: against trying one password on many accounts. Members behind a reverse
///   proxy count as their own addresses when it is a trusted proxy (`ClientAddress`).
public struct LoginThrottle: Sendable {
    public var perAccountAddress = RateLimit(limit: 5, windowMilliseconds: 15 * 60_000)
    public var perAccount = RateLimit(limit: 100, windowMilliseconds: 60 * 60_000)
    public var perAddress = RateLimit(limit: 60, windowMilliseconds: 15 * 60_000)

    public init() {}

    static func pairKey(_ username: String, _ address: String) -> String { "login:pair:\(address) \(username.lowercased())" }
    static func accountKey(_ username: String) -> String { "login:account:" + username.lowercased() }
    static func addressKey(_ address: String) -> String { "login:address:" + address }

    /// Counts one attempt on every counter, as a failure until `release` says otherwise. Throws
    /// `.throttled` (and counts nothing, as the caller's transaction rolls back) when a counter is full.
    func reserve(username: String, address: String, db: any SQLDatabase, now: Int64) async throws {
        // Always in this order, so two transactions never wait on each other's rows in a cycle.
        for (key, limit) in [(Self.pairKey(username, address), perAccountAddress), (Self.accountKey(username), perAccount),
                             (Self.addressKey(address), perAddress)] {
            try await limit.take(key, messageKey: "login_throttled", db: db, now: now)
        }
    }

    /// The password was right: the member's own mistakes from this address are forgiven, and the attempt is
    /// handed back to the account's and the address's counters (what others tried stays counted).
    func release(username: String, address: String, db: any SQLDatabase) async throws {
        try await RateLimit.clear(Self.pairKey(username, address), db: db)
        try await RateLimit.giveBack(Self.accountKey(username), db: db)
        try await RateLimit.giveBack(Self.addressKey(address), db: db)
    }
}
