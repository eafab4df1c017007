import SQLKit

/// A member's list of accounts they follow, read as a timeline of its own (Mastodon's lists).
public struct FeedList: Sendable, Equatable {
    public let id: Int64
    public var title: String
    /// Which replies show: to `followed` members, to `list` members, or `none`.
    public var repliesPolicy: RepliesPolicy
    public var exclusive: Bool

    public enum RepliesPolicy: String, Sendable, CaseIterable {
        case followed, list, none
    }
}

public struct ListService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock

    public static let maxLists = 50
    public static let maxMembers = 500
    public static let maxTitle = 100

    public init(database: any Database, ids: IDGenerator, clock: Clock) {
        self.database = database
        self.ids = ids
        self.clock = clock
    }

    public func lists(of owner: Account) async throws -> [FeedList] {
        try await database.read { db in
            try await db.raw("SELECT id, title, replies_policy, exclusive FROM lists WHERE account_id = \(bind: owner.id) ORDER BY id").all().map(Self.decode)
        }
    }

    /// One of `owner`'s lists; nil for anyone else's (it is not theirs to see).
    public func list(_ id: Int64, owner: Account) async throws -> FeedList? {
        try await database.read { db in try await Self.load(id, owner: owner.id, db: db) }
    }

    public func create(owner: Account, title: String, repliesPolicy: FeedList.RepliesPolicy = .list, exclusive: Bool = false) async throws -> FeedList {
        try AccountService.ensureMayAct(owner, now: clock.nowMilliseconds())
        let title = try Self.cleanTitle(title)
        let id = ids.next(), now = clock.nowMilliseconds()
        try await database.write { db in
            let count = try await db.raw("SELECT COUNT(*) AS n FROM lists WHERE account_id = \(bind: owner.id)").first()?.decode(column: "n", as: Int.self) ?? 0
            guard count < Self.maxLists else { throw CoreError.invalid("list_limit", field: "title") }
            try await db.raw("""
                INSERT INTO lists (id, account_id, title, replies_policy, exclusive, created_at)
                VALUES (\(bind: id), \(bind: owner.id), \(bind: title), \(bind: repliesPolicy.rawValue), \(bind: exclusive ? 1 : 0), \(bind: now))
                """).run()
        }
        return FeedList(id: id, title: title, repliesPolicy: repliesPolicy, exclusive: exclusive)
    }

    public func update(_ id: Int64, owner: Account, title: String?, repliesPolicy: FeedList.RepliesPolicy?, exclusive: Bool?) async throws -> FeedList {
        let title = try title.map(Self.cleanTitle)
        return try await database.write { db in
            guard var list = try await Self.load(id, owner: owner.id, db: db) else { throw CoreError.notFound }
            if let title { list.title = title }
            if let repliesPolicy { list.repliesPolicy = repliesPolicy }
            if let exclusive { list.exclusive = exclusive }
            try await db.raw("""
                UPDATE lists SET title = \(bind: list.title), replies_policy = \(bind: list.repliesPolicy.rawValue), exclusive = \(bind: list.exclusive ? 1 : 0)
                WHERE id = \(bind: id)
                """).run()
            return list
        }
    }

    public func delete(_ id: Int64, owner: Account) async throws {
        let deleted = try await database.write { db in
            try await db.raw("DELETE FROM lists WHERE id = \(bind: id) AND account_id = \(bind: owner.id) RETURNING id").first() != nil
        }
        guard deleted else { throw CoreError.notFound }
    }

    /// The list's members, by account id, with the id as the page cursor.
    public func members(_ id: Int64, owner: Account, before: Int64?, limit: Int) async throws -> [Account] {
        try await database.read { db in
            guard try await Self.load(id, owner: owner.id, db: db) != nil else { throw CoreError.notFound }
            return try await db.raw("""
                SELECT \(unsafeRaw: AccountRow.joinedColumns) FROM list_members m JOIN accounts a ON a.id = m.account_id
                WHERE m.list_id = \(bind: id) AND a.id < \(bind: before ?? Int64.max) ORDER BY a.id DESC LIMIT \(bind: limit)
                """).all().map(AccountRow.decode)
        }
    }

    /// Adds members; each must be someone the owner follows (as Mastodon requires), or nothing is added.
    public func add(_ accountIDs: [Int64], to id: Int64, owner: Account) async throws {
        try await database.write { db in
            guard try await Self.load(id, owner: owner.id, db: db) != nil else { throw CoreError.notFound }
            for account in Set(accountIDs) {
                guard try await db.raw("SELECT 1 AS x FROM follows WHERE account_id = \(bind: owner.id) AND target_id = \(bind: account)").first() != nil else {
                    throw CoreError.invalid("list_not_followed", field: "account_ids")
                }
                try await db.raw("INSERT INTO list_members (list_id, account_id) VALUES (\(bind: id), \(bind: account)) ON CONFLICT DO NOTHING").run()
            }
            let count = try await db.raw("SELECT COUNT(*) AS n FROM list_members WHERE list_id = \(bind: id)").first()?.decode(column: "n", as: Int.self) ?? 0
            guard count <= Self.maxMembers else { throw CoreError.invalid("list_members_limit", field: "account_ids") }
        }
    }

    public func remove(_ accountIDs: [Int64], from id: Int64, owner: Account) async throws {
        try await database.write { db in
            guard try await Self.load(id, owner: owner.id, db: db) != nil else { throw CoreError.notFound }
            guard !accountIDs.isEmpty else { return }
            try await db.raw("DELETE FROM list_members WHERE list_id = \(bind: id) AND account_id IN (\(FeedService.list(accountIDs)))").run()
        }
    }

    /// `owner`'s lists that hold `account`.
    public func lists(of owner: Account, containing account: Int64) async throws -> [FeedList] {
        try await database.read { db in
            try await db.raw("""
                SELECT l.id, l.title, l.replies_policy, l.exclusive FROM lists l JOIN list_members m ON m.list_id = l.id
                WHERE l.account_id = \(bind: owner.id) AND m.account_id = \(bind: account) ORDER BY l.id
                """).all().map(Self.decode)
        }
    }

    static func load(_ id: Int64, owner: Int64, db: any SQLDatabase) async throws -> FeedList? {
        try await db.raw("SELECT id, title, replies_policy, exclusive FROM lists WHERE id = \(bind: id) AND account_id = \(bind: owner)").first().map(decode)
    }

    static func cleanTitle(_ title: String) throws -> String {
        let cleaned = AccountRules.stripControls(title).trimmingWhitespace()
        guard !cleaned.isEmpty, cleaned.count <= maxTitle else { throw CoreError.invalid("list_title", field: "title") }
        return cleaned
    }

    private static func decode(_ row: any SQLRow) throws -> FeedList {
        FeedList(id: try row.decode(column: "id", as: Int64.self), title: try row.decode(column: "title", as: String.self),
                 repliesPolicy: FeedList.RepliesPolicy(rawValue: try row.decode(column: "replies_policy", as: String.self)) ?? .list,
                 exclusive: try row.decode(column: "exclusive", as: Int.self) != 0)
    }
}
