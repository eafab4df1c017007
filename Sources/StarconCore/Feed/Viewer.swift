import SQLKit

/// What the store knows about the member looking: whom they follow, and who is blocked or muted either
/// way. Loaded once per request, so a page of statuses is filtered without a query per status.
struct Viewer: Sendable {
    let account: Account
    let following: Set<Int64>
    /// Members this one blocked, or who blocked this one: they see nothing of each other.
    let blockedEitherWay: Set<Int64>
    let muted: Set<Int64>

    static func load(_ account: Account, db: any SQLDatabase) async throws -> Viewer {
        func ids(_ query: SQLQueryString, _ column: String) async throws -> Set<Int64> {
            Set(try await db.raw(query).all().map { try $0.decode(column: column, as: Int64.self) })
        }
        return Viewer(
            account: account,
            following: try await ids("SELECT target_id FROM follows WHERE account_id = \(bind: account.id)", "target_id"),
            blockedEitherWay: try await ids("SELECT target_id AS x FROM blocks WHERE account_id = \(bind: account.id) UNION SELECT account_id AS x FROM blocks WHERE target_id = \(bind: account.id)", "x"),
            muted: try await ids("SELECT target_id FROM mutes WHERE account_id = \(bind: account.id)", "target_id"))
    }

    /// The visibility rule, in one place for every surface.
    func canSee(_ status: Status, mentioned: [Int64]) -> Bool {
        if status.author.id == account.id { return true }
        guard status.author.status == .active, !blockedEitherWay.contains(status.author.id) else { return false }
        switch status.visibility {
        case .public: return true
        case .private: return following.contains(status.author.id) || mentioned.contains(account.id)
        case .direct: return mentioned.contains(account.id)
        }
    }

    /// In timelines, muted members are left out too (but their statuses stay reachable by link).
    func wantsInTimeline(_ status: Status) -> Bool {
        !muted.contains(status.author.id)
    }
}
