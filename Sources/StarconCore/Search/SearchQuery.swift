import SQLKit

/// What a search asks for: the text and which page. Paging is Mastodon's: `offset` (results to skip) and,
/// for items with ids, `maxID` (older than) and `minID` (newer than).
public struct SearchQuery: Sendable, Equatable {
    /// The text as searched (`TextSearchIndex.normalizedQuery`: folded to lower case, spaces made one).
    public let text: String
    public var limit: Int
    public var offset: Int
    public var maxID: Int64?
    public var minID: Int64?

    /// Nil when `text` has nothing to look for (empty, only spaces) or is longer than `SearchRules.maxQueryCharacters`.
    public init?(_ text: String, limit: Int = SearchRules.defaultLimit, offset: Int = 0, maxID: Int64? = nil, minID: Int64? = nil) {
        guard text.count <= SearchRules.maxQueryCharacters, let folded = TextSearchIndex.normalizedQuery(text) else { return nil }
        self.text = folded
        self.limit = max(1, min(limit, SearchRules.maxLimit))
        self.offset = max(0, min(offset, SearchRules.maxOffset))
        self.maxID = maxID
        self.minID = minID
    }

    /// Trigram indexes serve three characters or more; shorter queries are matched by a bounded scan.
    public var isShort: Bool { text.count < 3 }

    /// `WHERE` conditions on `column` for `maxID` / `minID`, and whether to read oldest first (a `minID`
    /// page: the results just after it, which the caller turns back to newest first).
    func bounds(_ column: String) -> (SQLQueryString, ascending: Bool) {
        var clause: SQLQueryString = "\(unsafeRaw: column) < \(bind: maxID ?? Int64.max)"
        if let minID { clause = clause + " AND \(unsafeRaw: column) > \(bind: minID)" }
        return (clause, minID != nil)
    }

    /// `ORDER BY … LIMIT … OFFSET …` on `column`, newest first unless `ascending`.
    func window(_ column: String, ascending: Bool) -> SQLQueryString {
        "ORDER BY \(unsafeRaw: column) \(unsafeRaw: ascending ? "ASC" : "DESC") LIMIT \(bind: limit) OFFSET \(bind: offset)"
    }

    /// `%text%` for LIKE, with its wildcards escaped (use with `ESCAPE '\'`).
    var likePattern: String { "%" + TextSearchIndex.escapeLike(text) + "%" }
}

public enum SearchRules {
    public static let defaultLimit = 20
    /// Mastodon's own maximum page.
    public static let maxLimit = 40
    public static let maxOffset = 10_000
    public static let maxQueryCharacters = 200
    /// One- and two-character queries have no trigram to look up: they are matched by reading text, and
    /// only the newest this many posts (or articles) are read, so such a query costs the same at any size
    /// of the network. Three characters or more search everything through the trigram index.
    public static let shortQueryWindow = 50_000
}
