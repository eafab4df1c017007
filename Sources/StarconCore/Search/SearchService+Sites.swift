import SQLKit

/// A site page found by a search, in the language whose text matched.
public struct SiteSearchHit: Sendable, Equatable {
    public let pageID: Int64
    public let siteName: String
    public let siteTitle: String
    public let slug: String
    public let language: String
    public let title: String
    /// The start of the text, or the words around the match.
    public let excerpt: String
}

extension SearchService {
    /// Published pages and articles of online sites whose title or text contains the query, in any
    /// script, newest page first. Every visitor may read every online site, so the only rule is the owner's
    /// (`SiteRules.ownerOnline`). The hit is shown in the first of `languages` (then the switcher's order)
    /// whose text matched.
    public func sitePages(_ query: SearchQuery, languages preferred: [String] = []) async throws -> [SiteSearchHit] {
        let engine = database.engine
        let now = clock.nowMilliseconds()
        return try await database.read { db in
            let (bounds, ascending) = query.bounds("d.doc_id")
            let online = SiteRules.ownerOnline(now: now)
            let sql: SQLQueryString
            if query.isShort {
                let floor = try await Self.recentBound(kind: "site", db: db)
                sql = """
                    SELECT d.doc_id AS page_id FROM search_documents d JOIN site_pages p ON p.id = d.doc_id JOIN sites s ON s.id = p.site_id
                    JOIN accounts a ON a.id = s.account_id
                    WHERE d.kind = 'site' AND d.doc_id >= \(bind: floor) AND \(bounds)
                      AND (\(Self.contains("d.body", query.text, engine)) OR \(Self.contains("d.subject", query.text, engine))) AND \(online)
                    \(query.window("d.doc_id", ascending: ascending))
                    """
            } else if engine == .sqlite {
                let (rowBounds, _) = query.bounds("f.rowid")
                sql = """
                    SELECT d.doc_id AS page_id FROM search_fts f JOIN search_documents d ON d.id = f.rowid JOIN site_pages p ON p.id = d.doc_id
                    JOIN sites s ON s.id = p.site_id JOIN accounts a ON a.id = s.account_id
                    WHERE search_fts MATCH \(bind: Self.ftsPhrase(query.text, columns: ["subject", "body"])) AND \(rowBounds) AND d.kind = 'site'
                      AND \(online)
                    \(query.window("f.rowid", ascending: ascending))
                    """
            } else {
                sql = """
                    SELECT d.doc_id AS page_id FROM search_documents d JOIN site_pages p ON p.id = d.doc_id JOIN sites s ON s.id = p.site_id
                    JOIN accounts a ON a.id = s.account_id
                    WHERE d.kind = 'site' AND (d.body LIKE \(bind: query.likePattern) ESCAPE '\\' OR d.subject LIKE \(bind: query.likePattern) ESCAPE '\\')
                      AND \(bounds) AND \(online)
                    \(query.window("d.doc_id", ascending: ascending))
                    """
            }
            var ids = try await db.raw(sql).all().map { try $0.decode(column: "page_id", as: Int64.self) }
            if ascending { ids.reverse() }
            guard !ids.isEmpty else { return [] }
            var texts: [Int64: [(language: String, title: String, body: String, site: String, siteTitle: String, slug: String)]] = [:]
            for row in try await db.raw("""
                SELECT p.id AS id, p.slug AS slug, s.name AS name, s.title AS site_title, t.language AS language,
                    t.published_title AS title, t.published_body AS body
                FROM site_pages p JOIN sites s ON s.id = p.site_id JOIN site_translations t ON t.page_id = p.id
                WHERE p.id IN (\(FeedService.list(ids))) AND t.published_body IS NOT NULL
                """).all() {
                texts[try row.decode(column: "id", as: Int64.self), default: []].append((
                    try row.decode(column: "language", as: String.self), try row.decode(column: "title", as: String.self),
                    try row.decode(column: "body", as: String.self), try row.decode(column: "name", as: String.self),
                    try row.decode(column: "site_title", as: String.self), try row.decode(column: "slug", as: String.self)))
            }
            let order = preferred + Site.languages
            return ids.compactMap { id in
                guard let all = texts[id], !all.isEmpty else { return nil }
                let ranked = all.sorted { (order.firstIndex(of: $0.language) ?? 99) < (order.firstIndex(of: $1.language) ?? 99) }
                let matching = ranked.first {
                    TextSearchIndex.fold($0.title).contains(query.text) || TextSearchIndex.fold($0.body).contains(query.text)
                } ?? ranked[0]
                return SiteSearchHit(pageID: id, siteName: matching.site, siteTitle: matching.siteTitle, slug: matching.slug,
                                     language: matching.language, title: matching.title, excerpt: Self.excerpt(matching.body, around: query.text))
            }
        }
    }

    /// About 200 characters of `text` on one line, starting a little before the first place `folded` occurs.
    static func excerpt(_ text: String, around folded: String) -> String {
        let line = text.split(whereSeparator: { $0.isNewline }).joined(separator: " ")
        let characters = Array(line)
        let lowered = line.lowercased()
        var start = 0
        if let range = lowered.range(of: folded), lowered.count == characters.count {
            start = max(0, lowered.distance(from: lowered.startIndex, to: range.lowerBound) - 60)
        }
        let slice = String(characters[start..<min(characters.count, start + 200)])
        return (start > 0 ? "…" : "") + slice + (start + 200 < characters.count ? "…" : "")
    }
}
