import SQLKit

/// A site page in the network's search: one document per page (kind `site`, its id the page's), holding the
/// published title and text of every language, so a search in any script finds it. Written in the transaction
/// that publishes, unpublishes, takes down or deletes, so a page is findable exactly while it is published.
/// Whether its site is online is not stored: the search asks the owner's state when it reads
/// (`SiteRules.ownerOnline`), so a suspension hides every page at once and lifting it brings them back.
enum SiteSearchDocument {
    /// Each language's text is indexed up to this many characters, so five long translations fit the index's 64K.
    static let bodyCharactersPerLanguage = 13_000

    static func update(pageID: Int64, db: any SQLDatabase) async throws {
        let rows = try await db.raw("""
            SELECT s.name AS name, t.language AS language, t.published_title AS title, t.published_body AS body
            FROM site_pages p JOIN sites s ON s.id = p.site_id JOIN site_translations t ON t.page_id = p.id
            WHERE p.id = \(bind: pageID) AND t.published_body IS NOT NULL
            """).all()
        guard let first = rows.first else {
            try await SearchDocuments.remove(kind: "site", id: pageID, db: db)
            return
        }
        let texts = try rows.map { row in
            (try row.decode(column: "title", as: String.self), String(try row.decode(column: "body", as: String.self).prefix(bodyCharactersPerLanguage)))
        }
        try await SearchDocuments.sitePage(id: pageID, siteName: try first.decode(column: "name", as: String.self),
                                           titles: texts.map(\.0), bodies: texts.map(\.1), db: db)
    }
}
