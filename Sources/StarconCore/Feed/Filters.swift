import Foundation
import SQLKit

/// Where a filter applies (Mastodon's context names).
public enum FilterContext: String, Sendable, CaseIterable {
    case home, notifications, `public`, thread, account
}

/// A member's filter (Mastodon's Filter v2): keywords and single statuses that, in its contexts, hide a status
/// or put it behind a warning.
public struct Filter: Sendable, Equatable {
    public let id: Int64
    public var title: String
    public var contexts: Set<FilterContext>
    public var action: Action
    public var expiresAt: Int64?
    public var keywords: [Keyword]
    public var statuses: [FilteredStatus]

    public enum Action: String, Sendable { case warn, hide }

    public struct Keyword: Sendable, Equatable {
        public let id: Int64
        public var keyword: String { didSet { folded = FilterText.fold(keyword) } }
        public var wholeWord: Bool
        /// The keyword lowercased, as UTF-8: folded once when loaded, not for every status it is tried on.
        private(set) var folded: [UInt8]

        public init(id: Int64, keyword: String, wholeWord: Bool) {
            self.id = id
            self.keyword = keyword
            self.wholeWord = wholeWord
            self.folded = FilterText.fold(keyword)
        }
    }

    public struct FilteredStatus: Sendable, Equatable {
        public let id: Int64
        public let statusID: Int64
    }

    /// The keywords of this filter that `text` contains (case-insensitively; `wholeWord` keywords only between
    /// non-letters), and whether `statusID` is one of its statuses.
    public func matches(text: FilterText, statusID: Int64) -> (keywords: [String], status: Bool) {
        let words = keywords.filter { text.contains($0.folded, wholeWord: $0.wholeWord) }.map(\.keyword)
        return (words, statuses.contains { $0.statusID == statusID })
    }
}

/// What a status says, lowercased once, as UTF-8 bytes: every keyword of every filter is looked for in it with
/// a byte search (a feed page tries 20 filters on up to 60 statuses; Foundation's `range(of:)` on each made a
/// filtered home timeline thirteen times slower than an unfiltered one).
public struct FilterText: Sendable {
    let bytes: [UInt8]

    public init(_ text: String) { bytes = Self.fold(text) }

    static func fold(_ text: String) -> [UInt8] { Array(text.lowercased().utf8) }

    /// Whether `keyword` (folded) occurs; with `wholeWord`, only where no letter, digit or `_` touches it. A
    /// match of valid UTF-8 starts on a scalar's first byte, so a byte match is a text match.
    func contains(_ keyword: [UInt8], wholeWord: Bool) -> Bool {
        guard !keyword.isEmpty, keyword.count <= bytes.count else { return false }
        return bytes.withUnsafeBufferPointer { text in
            keyword.withUnsafeBufferPointer { word in
                let base = text.baseAddress!, last = text.count - word.count
                var from = 0
                while from <= last, let hit = memchr(base + from, Int32(word[0]), last - from + 1) {
                    let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if memcmp(base + at, word.baseAddress!, word.count) == 0,
                       !wholeWord || (!Self.isWordScalar(before: at, in: text) && !Self.isWordScalar(at: at + word.count, in: text)) {
                        return true
                    }
                    from = at + 1
                }
                return false
            }
        }
    }

    private static func isWordScalar(before end: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard end > 0 else { return false }
        var start = end - 1
        while start > 0, end - start < 4, text[start] & 0xC0 == 0x80 { start -= 1 }
        return isWord(String(decoding: UnsafeBufferPointer(rebasing: text[start..<end]), as: UTF8.self).unicodeScalars.first)
    }

    private static func isWordScalar(at start: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard start < text.count else { return false }
        let end = min(text.count, start + 4)
        return isWord(String(decoding: UnsafeBufferPointer(rebasing: text[start..<end]), as: UTF8.self).unicodeScalars.first)
    }

    private static func isWord(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}

/// A filter's verdict on one status, for the status entity's `filtered`.
public struct FilterResult: Sendable, Equatable {
    public let filter: Filter
    public let keywordMatches: [String]
    public let statusMatches: [Int64]
}

public enum FilterRules {
    public static let maxFilters = 100
    public static let maxKeywords = 100
    public static let maxKeywordLength = 200
    public static let maxTitle = 200
}

/// A change to a filter (each nil part stays as it is); keywords are added, changed or removed by id.
public struct FilterChange: Sendable {
    public var title: String?
    public var contexts: Set<FilterContext>?
    public var action: Filter.Action?
    /// Seconds from now; `.some(nil)` makes it never expire.
    public var expiresIn: Int64??
    public var addKeywords: [(keyword: String, wholeWord: Bool)] = []
    public var changeKeywords: [(id: Int64, keyword: String?, wholeWord: Bool?)] = []
    public var removeKeywords: [Int64] = []

    public init() {}
}

public struct FilterService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock

    public init(database: any Database, ids: IDGenerator, clock: Clock) {
        self.database = database
        self.ids = ids
        self.clock = clock
    }

    public func filters(of owner: Account) async throws -> [Filter] {
        try await database.read { db in try await Self.load(owner: owner.id, db: db) }
    }

    public func filter(_ id: Int64, owner: Account) async throws -> Filter? {
        try await database.read { db in try await Self.load(owner: owner.id, db: db, only: id).first }
    }

    public func create(owner: Account, _ change: FilterChange) async throws -> Filter {
        try AccountService.ensureMayAct(owner, now: clock.nowMilliseconds())
        guard change.title != nil, let contexts = change.contexts, !contexts.isEmpty else {
            throw CoreError.invalid(change.title == nil ? "filter_title" : "filter_context", field: change.title == nil ? "title" : "context")
        }
        let id = ids.next(), now = clock.nowMilliseconds()
        try await database.write { db in
            let count = try await db.raw("SELECT COUNT(*) AS n FROM filters WHERE account_id = \(bind: owner.id)").first()?.decode(column: "n", as: Int.self) ?? 0
            guard count < FilterRules.maxFilters else { throw CoreError.invalid("filter_limit", field: "title") }
            try await db.raw("""
                INSERT INTO filters (id, account_id, title, contexts, action, expires_at, created_at)
                VALUES (\(bind: id), \(bind: owner.id), '', \(bind: Self.encode(contexts)), 'warn', NULL, \(bind: now))
                """).run()
            try await apply(change, to: id, owner: owner.id, now: now, db: db)
        }
        return try await filter(id, owner: owner) ?? { throw CoreError.notFound }()
    }

    public func update(_ id: Int64, owner: Account, _ change: FilterChange) async throws -> Filter {
        let now = clock.nowMilliseconds()
        try await database.write { db in
            guard try await db.raw("SELECT 1 AS x FROM filters WHERE id = \(bind: id) AND account_id = \(bind: owner.id)").first() != nil else {
                throw CoreError.notFound
            }
            try await apply(change, to: id, owner: owner.id, now: now, db: db)
        }
        return try await filter(id, owner: owner) ?? { throw CoreError.notFound }()
    }

    public func delete(_ id: Int64, owner: Account) async throws {
        let deleted = try await database.write { db in
            try await db.raw("DELETE FROM filters WHERE id = \(bind: id) AND account_id = \(bind: owner.id) RETURNING id").first() != nil
        }
        guard deleted else { throw CoreError.notFound }
    }

    /// The filter owning keyword `keywordID`, if it is `owner`'s.
    public func filter(ofKeyword keywordID: Int64, owner: Account) async throws -> Filter? {
        let filterID = try await database.read { db in
            try await db.raw("""
                SELECT k.filter_id FROM filter_keywords k JOIN filters f ON f.id = k.filter_id WHERE k.id = \(bind: keywordID) AND f.account_id = \(bind: owner.id)
                """).first()?.decode(column: "filter_id", as: Int64.self)
        }
        guard let filterID else { return nil }
        return try await filter(filterID, owner: owner)
    }

    /// The filter owning filtered-status entry `entryID`, if it is `owner`'s.
    public func filter(ofStatusEntry entryID: Int64, owner: Account) async throws -> Filter? {
        let filterID = try await database.read { db in
            try await db.raw("""
                SELECT s.filter_id FROM filter_statuses s JOIN filters f ON f.id = s.filter_id WHERE s.id = \(bind: entryID) AND f.account_id = \(bind: owner.id)
                """).first()?.decode(column: "filter_id", as: Int64.self)
        }
        guard let filterID else { return nil }
        return try await filter(filterID, owner: owner)
    }

    /// Adds a status to a filter (one `viewer` may see).
    public func addStatus(_ statusID: Int64, to filterID: Int64, owner: Account, visible: Bool) async throws -> Filter.FilteredStatus {
        guard visible else { throw CoreError.notFound }
        let id = ids.next()
        return try await database.write { db in
            guard try await db.raw("SELECT 1 AS x FROM filters WHERE id = \(bind: filterID) AND account_id = \(bind: owner.id)").first() != nil else {
                throw CoreError.notFound
            }
            try await db.raw("""
                INSERT INTO filter_statuses (id, filter_id, status_id) VALUES (\(bind: id), \(bind: filterID), \(bind: statusID)) ON CONFLICT DO NOTHING
                """).run()
            let stored = try await db.raw("SELECT id FROM filter_statuses WHERE filter_id = \(bind: filterID) AND status_id = \(bind: statusID)").first()?
                .decode(column: "id", as: Int64.self) ?? id
            return Filter.FilteredStatus(id: stored, statusID: statusID)
        }
    }

    public func removeStatusEntry(_ entryID: Int64, owner: Account) async throws {
        let deleted = try await database.write { db in
            try await db.raw("""
                DELETE FROM filter_statuses WHERE id = \(bind: entryID) AND filter_id IN (SELECT id FROM filters WHERE account_id = \(bind: owner.id)) RETURNING id
                """).first() != nil
        }
        guard deleted else { throw CoreError.notFound }
    }

    private func apply(_ change: FilterChange, to id: Int64, owner: Int64, now: Int64, db: any SQLDatabase) async throws {
        if let title = change.title {
            let cleaned = AccountRules.stripControls(title).trimmingWhitespace()
            guard !cleaned.isEmpty, cleaned.count <= FilterRules.maxTitle else { throw CoreError.invalid("filter_title", field: "title") }
            try await db.raw("UPDATE filters SET title = \(bind: cleaned) WHERE id = \(bind: id)").run()
        }
        if let contexts = change.contexts {
            guard !contexts.isEmpty else { throw CoreError.invalid("filter_context", field: "context") }
            try await db.raw("UPDATE filters SET contexts = \(bind: Self.encode(contexts)) WHERE id = \(bind: id)").run()
        }
        if let action = change.action { try await db.raw("UPDATE filters SET action = \(bind: action.rawValue) WHERE id = \(bind: id)").run() }
        if let expiresIn = change.expiresIn {
            if let seconds = expiresIn, seconds <= 0 { throw CoreError.invalid("filter_expires", field: "expires_in") }
            try await db.raw("UPDATE filters SET expires_at = \(bind: expiresIn.map { now + $0 * 1000 }) WHERE id = \(bind: id)").run()
        }
        for removed in change.removeKeywords {
            try await db.raw("DELETE FROM filter_keywords WHERE id = \(bind: removed) AND filter_id = \(bind: id)").run()
        }
        for changed in change.changeKeywords {
            if let keyword = changed.keyword {
                try await db.raw("UPDATE filter_keywords SET keyword = \(bind: try Self.cleanKeyword(keyword)) WHERE id = \(bind: changed.id) AND filter_id = \(bind: id)").run()
            }
            if let whole = changed.wholeWord {
                try await db.raw("UPDATE filter_keywords SET whole_word = \(bind: whole ? 1 : 0) WHERE id = \(bind: changed.id) AND filter_id = \(bind: id)").run()
            }
        }
        for added in change.addKeywords {
            try await db.raw("""
                INSERT INTO filter_keywords (id, filter_id, keyword, whole_word)
                VALUES (\(bind: ids.next()), \(bind: id), \(bind: try Self.cleanKeyword(added.keyword)), \(bind: added.wholeWord ? 1 : 0))
                """).run()
        }
        let count = try await db.raw("SELECT COUNT(*) AS n FROM filter_keywords WHERE filter_id = \(bind: id)").first()?.decode(column: "n", as: Int.self) ?? 0
        guard count <= FilterRules.maxKeywords else { throw CoreError.invalid("filter_keywords_limit", field: "keywords_attributes") }
    }

    static func cleanKeyword(_ keyword: String) throws -> String {
        let cleaned = AccountRules.stripControls(keyword).trimmingWhitespace()
        guard !cleaned.isEmpty, cleaned.count <= FilterRules.maxKeywordLength else { throw CoreError.invalid("filter_keyword", field: "keyword") }
        return cleaned
    }

    /// The viewer's filters in force now in `context` (none without one).
    static func active(for viewer: Viewer, in context: FilterContext?, db: any SQLDatabase) async throws -> [Filter] {
        guard let context else { return [] }
        return try await load(owner: viewer.account.id, db: db, activeAt: viewer.now).filter { $0.contexts.contains(context) }
    }

    static func encode(_ contexts: Set<FilterContext>) -> String { contexts.map(\.rawValue).sorted().joined(separator: " ") }

    /// `owner`'s filters (only `only`, if given; `activeAt`: leave out the ones expired by then), with their
    /// keywords and statuses: three queries, whatever the number of filters.
    static func load(owner: Int64, db: any SQLDatabase, only: Int64? = nil, activeAt: Int64? = nil) async throws -> [Filter] {
        var condition: SQLQueryString = "account_id = \(bind: owner)"
        if let only { condition = condition + " AND id = \(bind: only)" }
        if let activeAt { condition = condition + " AND (expires_at IS NULL OR expires_at > \(bind: activeAt))" }
        var filters = try await db.raw("SELECT id, title, contexts, action, expires_at FROM filters WHERE \(condition) ORDER BY id").all().map { row in
            Filter(id: try row.decode(column: "id", as: Int64.self), title: try row.decode(column: "title", as: String.self),
                   contexts: Set(try row.decode(column: "contexts", as: String.self).split(separator: " ").compactMap { FilterContext(rawValue: String($0)) }),
                   action: Filter.Action(rawValue: try row.decode(column: "action", as: String.self)) ?? .warn,
                   expiresAt: try row.decode(column: "expires_at", as: Int64?.self), keywords: [], statuses: [])
        }
        guard !filters.isEmpty else { return [] }
        var index: [Int64: Int] = [:]
        for (position, filter) in filters.enumerated() { index[filter.id] = position }
        let filterIDs = FeedService.list(filters.map(\.id))
        for row in try await db.raw("SELECT id, filter_id, keyword, whole_word FROM filter_keywords WHERE filter_id IN (\(filterIDs)) ORDER BY id").all() {
            guard let position = index[try row.decode(column: "filter_id", as: Int64.self)] else { continue }
            filters[position].keywords.append(Filter.Keyword(id: try row.decode(column: "id", as: Int64.self), keyword: try row.decode(column: "keyword", as: String.self),
                                                             wholeWord: try row.decode(column: "whole_word", as: Int.self) != 0))
        }
        for row in try await db.raw("SELECT id, filter_id, status_id FROM filter_statuses WHERE filter_id IN (\(filterIDs)) ORDER BY id").all() {
            guard let position = index[try row.decode(column: "filter_id", as: Int64.self)] else { continue }
            filters[position].statuses.append(Filter.FilteredStatus(id: try row.decode(column: "id", as: Int64.self), statusID: try row.decode(column: "status_id", as: Int64.self)))
        }
        return filters
    }
}
