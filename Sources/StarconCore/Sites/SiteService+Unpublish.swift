import SQLKit

/// Taking published text back: an editor unpublishes one language; a moderator deciding a report takes
/// every language of a page down. Either way the draft stays, an `unpublish` revision records who did it,
/// and the page leaves search in the same transaction.
extension SiteService {
    public func unpublish(actor: Account, site: Site, page: SitePage, language: String) async throws {
        try await ensure(actor, may: \.publish, site)
        let language = try SiteRules.validateLanguage(language)
        try await database.write { db in
            try await self.unpublish(pageID: page.id, languages: [language], by: actor.id, db: db)
        }
    }

    /// A moderator's decision on a report (`ReportService`), who may act on any site.
    func takeDown(pageID: Int64, by moderator: Account) async throws {
        guard moderator.isModerator else { throw CoreError.forbidden }
        try await database.write { db in
            try await self.unpublish(pageID: pageID, languages: Site.languages, by: moderator.id, db: db)
        }
    }

    private func unpublish(pageID: Int64, languages: [String], by: Int64, db: any SQLDatabase) async throws {
        let now = clock.nowMilliseconds()
        for language in languages {
            guard let row = try await db.raw("""
                UPDATE site_translations SET published_title = NULL, published_body = NULL, published_at = NULL, publish_at = NULL
                WHERE page_id = \(bind: pageID) AND language = \(bind: language) AND published_body IS NOT NULL RETURNING *
                """).first() else { continue }
            let translation = try Self.decodeTranslation(row)
            try await db.raw("""
                INSERT INTO site_revisions (id, page_id, language, title, body, action, account_id, created_at)
                VALUES (\(bind: ids.next()), \(bind: pageID), \(bind: language), \(bind: translation.title), \(bind: translation.body),
                    'unpublish', \(bind: by), \(bind: now))
                """).run()
        }
        try await SiteSearchDocument.update(pageID: pageID, db: db)
    }

    /// A published page of an online site as a report names it: its owner and what visitors see (the site,
    /// the path, each language's title and the start of its text). Nil when no visitor can see it.
    func reportable(pageID: Int64) async throws -> (owner: Account, excerpt: String)? {
        let found = try await database.read { db -> (Int64, String)? in
            guard let row = try await db.raw("SELECT site_id, slug FROM site_pages WHERE id = \(bind: pageID)").first() else { return nil }
            return (try row.decode(column: "site_id", as: Int64.self), try row.decode(column: "slug", as: String.self))
        }
        guard let (siteID, slug) = found, let site = try await self.site(id: siteID), isOnline(site),
              let page = try await self.page(of: site, id: pageID) else { return nil }
        let published = try await translations(of: page).filter(\.isPublished)
        guard !published.isEmpty else { return nil }
        let texts = published.map { "[\($0.language)] \($0.publishedTitle ?? "")\n\(String(($0.publishedBody ?? "").prefix(400)))" }
        return (site.owner, "/sites/\(site.name)/\(slug)\n\n" + texts.joined(separator: "\n\n"))
    }
}
