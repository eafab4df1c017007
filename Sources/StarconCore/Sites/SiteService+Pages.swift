import SQLKit

/// Pages, their translations, drafts, publishing (now or scheduled), and revisions.
extension SiteService {
    public func createPage(actor: Account, site: Site, slug: String, kind: SitePage.Kind, parentID: Int64? = nil, position: Int64 = 0) async throws -> SitePage {
        try await ensure(actor, may: \.edit, site)
        let slug = try SiteRules.validateSlug(slug)
        let id = ids.next(), now = clock.nowMilliseconds()
        try await database.write { db in
            let count = try await db.raw("SELECT COUNT(*) AS n FROM site_pages WHERE site_id = \(bind: site.id)").first()?.decode(column: "n", as: Int.self) ?? 0
            guard count < SiteRules.maxPages else { throw CoreError.invalid("site_page_limit", field: "slug") }
            guard try await db.raw("SELECT 1 AS x FROM site_pages WHERE site_id = \(bind: site.id) AND slug = \(bind: slug)").first() == nil else {
                throw CoreError(.conflict, "site_slug_taken", field: "slug")
            }
            if let parentID {
                guard try await db.raw("SELECT 1 AS x FROM site_pages WHERE id = \(bind: parentID) AND site_id = \(bind: site.id)").first() != nil else {
                    throw CoreError.invalid("site_parent", field: "parent")
                }
            }
            try await db.raw("""
                INSERT INTO site_pages (id, site_id, slug, kind, parent_id, position, created_at)
                VALUES (\(bind: id), \(bind: site.id), \(bind: slug), \(bind: kind.rawValue), \(bind: parentID), \(bind: position), \(bind: now))
                """).run()
        }
        return SitePage(id: id, siteID: site.id, slug: slug, kind: kind, parentID: parentID, position: position, statusID: nil, createdAt: now)
    }

    public func pages(of site: Site) async throws -> [SitePage] {
        try await database.read { db in
            try await db.raw("SELECT * FROM site_pages WHERE site_id = \(bind: site.id) ORDER BY position, slug").all().map(Self.decodePage)
        }
    }

    public func page(of site: Site, slug: String) async throws -> SitePage? {
        try await database.read { db in
            try await db.raw("SELECT * FROM site_pages WHERE site_id = \(bind: site.id) AND slug = \(bind: slug.lowercased())").first().map(Self.decodePage)
        }
    }

    public func page(of site: Site, id: Int64) async throws -> SitePage? {
        try await database.read { db in
            try await db.raw("SELECT * FROM site_pages WHERE site_id = \(bind: site.id) AND id = \(bind: id)").first().map(Self.decodePage)
        }
    }

    public func translations(of page: SitePage) async throws -> [SiteTranslation] {
        try await database.read { db in
            let all = try await db.raw("SELECT * FROM site_translations WHERE page_id = \(bind: page.id)").all().map(Self.decodeTranslation)
            return Site.languages.compactMap { language in all.first { $0.language == language } }
        }
    }

    /// The published translations of a site's menu pages, for its menu: titles only (`body` and
    /// `publishedBody` are left empty), since a page view needs the titles of every menu page but the text of one.
    public func menuTitles(of site: Site) async throws -> [Int64: [SiteTranslation]] {
        try await database.read { db in
            var out: [Int64: [SiteTranslation]] = [:]
            for row in try await db.raw("""
                SELECT t.page_id, t.language, t.title, '' AS body, t.published_title, '' AS published_body, t.published_at, t.publish_at,
                    t.updated_at, t.updated_by
                FROM site_translations t JOIN site_pages p ON p.id = t.page_id
                WHERE p.site_id = \(bind: site.id) AND p.kind = 'page' AND t.published_body IS NOT NULL
                """).all() {
                let translation = try Self.decodeTranslation(row)
                out[translation.pageID, default: []].append(translation)
            }
            return out
        }
    }

    /// Saves a draft of one language of a page; visitors see it once published.
    @discardableResult
    public func saveDraft(actor: Account, site: Site, page: SitePage, language: String, title: String, body: String) async throws -> SiteTranslation {
        try await ensure(actor, may: \.edit, site)
        let language = try SiteRules.validateLanguage(language)
        let (title, body) = try SiteRules.validateText(title: title, body: body)
        try await database.write { db in
            try await self.writeDraft(db, page: page, language: language, title: title, body: body, by: actor.id, action: .save)
        }
        return try await translation(page, language) ?? { throw CoreError.notFound }()
    }

    /// Publishes the draft now, or at `at` (milliseconds) through the `sites.publish_scheduled` job.
    @discardableResult
    public func publish(actor: Account, site: Site, page: SitePage, language: String, at: Int64? = nil) async throws -> SiteTranslation {
        try await ensure(actor, may: \.publish, site)
        let language = try SiteRules.validateLanguage(language)
        guard try await translation(page, language) != nil else { throw CoreError.invalid("site_nothing_to_publish", field: "language") }
        let now = clock.nowMilliseconds()
        if let at, at > now {
            try await database.write { db in
                try await db.raw("""
                    UPDATE site_translations SET publish_at = \(bind: at), updated_by = \(bind: actor.id)
                    WHERE page_id = \(bind: page.id) AND language = \(bind: language)
                    """).run()
            }
        } else {
            try await publishNow(page: page, language: language, by: actor.id)
        }
        return try await translation(page, language) ?? { throw CoreError.notFound }()
    }

    /// Takes a scheduled publication back: the draft stays a draft.
    public func unschedule(actor: Account, site: Site, page: SitePage, language: String) async throws {
        try await ensure(actor, may: \.publish, site)
        try await database.write { db in
            try await db.raw("UPDATE site_translations SET publish_at = NULL WHERE page_id = \(bind: page.id) AND language = \(bind: language)").run()
        }
    }

    /// Newest first.
    public func revisions(of page: SitePage, language: String, limit: Int = 50) async throws -> [SiteRevision] {
        try await database.read { db in
            try await db.raw("""
                SELECT * FROM site_revisions WHERE page_id = \(bind: page.id) AND language = \(bind: language) ORDER BY id DESC LIMIT \(bind: limit)
                """).all().map(Self.decodeRevision)
        }
    }

    /// Makes an earlier revision the page's text again, as a new revision, and publishes it.
    @discardableResult
    public func restore(actor: Account, site: Site, page: SitePage, revisionID: Int64) async throws -> SiteTranslation {
        try await ensure(actor, may: \.publish, site)
        let revision = try await database.read { db in
            try await db.raw("SELECT * FROM site_revisions WHERE id = \(bind: revisionID) AND page_id = \(bind: page.id)").first().map(Self.decodeRevision)
        }
        guard let revision else { throw CoreError.notFound }
        try await database.write { db in
            try await self.writeDraft(db, page: page, language: revision.language, title: revision.title, body: revision.body, by: actor.id, action: .restore)
        }
        try await publishNow(page: page, language: revision.language, by: actor.id, recordRevision: false)
        return try await translation(page, revision.language) ?? { throw CoreError.notFound }()
    }

    /// Published articles, newest first, for the news section and the Atom feed.
    public func articles(of site: Site, limit: Int = 20) async throws -> [(page: SitePage, translations: [SiteTranslation])] {
        try await database.read { db in
            let pages = try await db.raw("""
                SELECT p.*, MAX(t.published_at) AS latest FROM site_pages p JOIN site_translations t ON t.page_id = p.id
                WHERE p.site_id = \(bind: site.id) AND p.kind = 'article' AND t.published_body IS NOT NULL
                GROUP BY p.id, p.site_id, p.slug, p.kind, p.parent_id, p.position, p.status_id, p.created_at
                ORDER BY latest DESC LIMIT \(bind: limit)
                """).all().map(Self.decodePage)
            guard !pages.isEmpty else { return [] }
            let translations = try await db.raw("""
                SELECT * FROM site_translations WHERE published_body IS NOT NULL AND page_id IN (\(FeedService.list(pages.map(\.id))))
                """).all().map(Self.decodeTranslation)
            return pages.map { page in (page, translations.filter { $0.pageID == page.id }) }
        }
    }

    /// Publishes the drafts whose time has come (run by a job on one node).
    public func publishScheduled(batch: Int = 50) async throws {
        let now = clock.nowMilliseconds()
        let due = try await database.read { db in
            try await db.raw("""
                SELECT t.* FROM site_translations t JOIN site_pages p ON p.id = t.page_id JOIN sites s ON s.id = p.site_id
                JOIN accounts a ON a.id = s.account_id
                WHERE t.publish_at <= \(bind: now) AND \(SiteRules.ownerOnline(now: now)) ORDER BY t.publish_at LIMIT \(bind: batch)
                """).all().map(Self.decodeTranslation)
        }
        for translation in due {
            let page = try await database.read { db in
                try await db.raw("SELECT * FROM site_pages WHERE id = \(bind: translation.pageID)").first().map(Self.decodePage)
            }
            guard let page, let site = try await self.site(id: page.siteID), isOnline(site) else {
                // An offline site keeps its schedule until its owner is back.
                continue
            }
            try await publishNow(page: page, language: translation.language, by: translation.updatedBy)
        }
    }

    // MARK: Internals

    private func translation(_ page: SitePage, _ language: String) async throws -> SiteTranslation? {
        try await database.read { db in
            try await db.raw("SELECT * FROM site_translations WHERE page_id = \(bind: page.id) AND language = \(bind: language)").first().map(Self.decodeTranslation)
        }
    }

    private func writeDraft(_ db: any SQLDatabase, page: SitePage, language: String, title: String, body: String, by: Int64,
                            action: SiteRevision.Action) async throws {
        let now = clock.nowMilliseconds()
        let updated = try await db.raw("""
            UPDATE site_translations SET title = \(bind: title), body = \(bind: body), updated_at = \(bind: now), updated_by = \(bind: by)
            WHERE page_id = \(bind: page.id) AND language = \(bind: language) RETURNING page_id
            """).first() != nil
        if !updated {
            try await db.raw("""
                INSERT INTO site_translations (page_id, language, title, body, updated_at, updated_by)
                VALUES (\(bind: page.id), \(bind: language), \(bind: title), \(bind: body), \(bind: now), \(bind: by))
                """).run()
        }
        try await db.raw("""
            INSERT INTO site_revisions (id, page_id, language, title, body, action, account_id, created_at)
            VALUES (\(bind: ids.next()), \(bind: page.id), \(bind: language), \(bind: title), \(bind: body), \(bind: action.rawValue), \(bind: by), \(bind: now))
            """).run()
    }

    /// The draft becomes what visitors see; an article's first publication also becomes a post by the site's account.
    private func publishNow(page: SitePage, language: String, by: Int64, recordRevision: Bool = true) async throws {
        let now = clock.nowMilliseconds()
        let published = try await database.write { db -> SiteTranslation? in
            guard let row = try await db.raw("""
                UPDATE site_translations SET published_title = title, published_body = body, published_at = \(bind: now), publish_at = NULL
                WHERE page_id = \(bind: page.id) AND language = \(bind: language) RETURNING *
                """).first() else { return nil }
            let translation = try Self.decodeTranslation(row)
            try await SiteSearchDocument.update(pageID: page.id, db: db)
            if recordRevision {
                try await db.raw("""
                    INSERT INTO site_revisions (id, page_id, language, title, body, action, account_id, created_at)
                    VALUES (\(bind: ids.next()), \(bind: page.id), \(bind: language), \(bind: translation.title), \(bind: translation.body), 'publish', \(bind: by), \(bind: now))
                    """).run()
            }
            return translation
        }
        guard let published, page.kind == .article else { return }
        try await announce(page: page, translation: published)
    }

    /// Posts an article to the feed once, as the site's account. The post's idempotency key makes a retry (or a
    /// node killed between posting and noting the post) give the same status.
    private func announce(page: SitePage, translation: SiteTranslation) async throws {
        let current = try await database.read { db in
            try await db.raw("SELECT * FROM site_pages WHERE id = \(bind: page.id)").first().map(Self.decodePage)
        }
        guard let current, current.statusID == nil, let site = try await self.site(id: page.siteID), isOnline(site) else { return }
        let base = try await settings.get(.publicURL) ?? ""
        let url = "\(base)/sites/\(site.name)/\(page.slug)?lang=\(translation.language)"
        let title = String((translation.publishedTitle ?? translation.title).prefix(300))
        let view = try await feed.post(author: site.owner, .init(text: "\(title)\n\n\(url)", language: translation.language,
                                                                 idempotencyKey: "site-article-\(page.id)"))
        try await database.write { db in
            try await db.raw("UPDATE site_pages SET status_id = \(bind: view.status.id) WHERE id = \(bind: page.id)").run()
        }
    }

    static func decodePage(_ row: any SQLRow) throws -> SitePage {
        SitePage(id: try row.decode(column: "id", as: Int64.self), siteID: try row.decode(column: "site_id", as: Int64.self),
                 slug: try row.decode(column: "slug", as: String.self),
                 kind: SitePage.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .page,
                 parentID: try row.decode(column: "parent_id", as: Int64?.self), position: try row.decode(column: "position", as: Int64.self),
                 statusID: try row.decode(column: "status_id", as: Int64?.self), createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    static func decodeTranslation(_ row: any SQLRow) throws -> SiteTranslation {
        SiteTranslation(pageID: try row.decode(column: "page_id", as: Int64.self), language: try row.decode(column: "language", as: String.self),
                        title: try row.decode(column: "title", as: String.self), body: try row.decode(column: "body", as: String.self),
                        publishedTitle: try row.decode(column: "published_title", as: String?.self),
                        publishedBody: try row.decode(column: "published_body", as: String?.self),
                        publishedAt: try row.decode(column: "published_at", as: Int64?.self), publishAt: try row.decode(column: "publish_at", as: Int64?.self),
                        updatedAt: try row.decode(column: "updated_at", as: Int64.self), updatedBy: try row.decode(column: "updated_by", as: Int64.self))
    }

    static func decodeRevision(_ row: any SQLRow) throws -> SiteRevision {
        SiteRevision(id: try row.decode(column: "id", as: Int64.self), pageID: try row.decode(column: "page_id", as: Int64.self),
                     language: try row.decode(column: "language", as: String.self), title: try row.decode(column: "title", as: String.self),
                     body: try row.decode(column: "body", as: String.self),
                     action: SiteRevision.Action(rawValue: try row.decode(column: "action", as: String.self)) ?? .save,
                     accountID: try row.decode(column: "account_id", as: Int64.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
                     note: try row.decode(column: "note", as: String.self))
    }
}
