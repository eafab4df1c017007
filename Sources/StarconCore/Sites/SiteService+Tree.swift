import SQLKit

/// Moving pages in the menu tree and deleting them. A move is recorded as a `move` revision of every
/// language the page has (its text unchanged, the note saying from where to where); a deletion, whose
/// revisions go with the page, is recorded in the audit log with the titles it had.
extension SiteService {
    /// Gives `page` a new path, parent and position. The menu has two levels: a parent is a top-level menu
    /// page of the same site, and a page with children stays at the top.
    @discardableResult
    public func movePage(actor: Account, site: Site, page: SitePage, slug: String, parentID: Int64?, position: Int64) async throws -> SitePage {
        try await ensure(actor, may: \.edit, site)
        let slug = try SiteRules.validateSlug(slug)
        guard (0...1000).contains(position) else { throw CoreError.invalid("site_position", field: "position") }
        let now = clock.nowMilliseconds()
        return try await database.write { db in
            guard let current = try await db.raw("SELECT * FROM site_pages WHERE id = \(bind: page.id) AND site_id = \(bind: site.id)").first()
                .map(Self.decodePage) else { throw CoreError.notFound }
            if slug != current.slug,
               try await db.raw("SELECT 1 AS x FROM site_pages WHERE site_id = \(bind: site.id) AND slug = \(bind: slug)").first() != nil {
                throw CoreError(.conflict, "site_slug_taken", field: "slug")
            }
            if let parentID {
                guard parentID != current.id, current.kind == .page,
                      let parent = try await db.raw("SELECT * FROM site_pages WHERE id = \(bind: parentID) AND site_id = \(bind: site.id)").first()
                        .map(Self.decodePage),
                      parent.kind == .page, parent.parentID == nil, !parent.slug.isEmpty,
                      try await db.raw("SELECT 1 AS x FROM site_pages WHERE parent_id = \(bind: current.id)").first() == nil else {
                    throw CoreError.invalid("site_parent", field: "parent")
                }
            }
            try await db.raw("""
                UPDATE site_pages SET slug = \(bind: slug), parent_id = \(bind: parentID), position = \(bind: position) WHERE id = \(bind: current.id)
                """).run()
            let note = "/\(current.slug) → /\(slug)" + (parentID == current.parentID ? "" : " (menu)") + (position == current.position ? "" : " #\(position)")
            for row in try await db.raw("SELECT * FROM site_translations WHERE page_id = \(bind: current.id)").all() {
                let translation = try Self.decodeTranslation(row)
                try await db.raw("""
                    INSERT INTO site_revisions (id, page_id, language, title, body, action, account_id, created_at, note)
                    VALUES (\(bind: ids.next()), \(bind: current.id), \(bind: translation.language), \(bind: translation.title), \(bind: translation.body),
                        'move', \(bind: actor.id), \(bind: now), \(bind: note))
                    """).run()
            }
            var moved = current
            moved.slug = slug
            moved.parentID = parentID
            moved.position = position
            return moved
        }
    }

    /// Deletes a page with its translations, revisions and photos. Its children move to the top of the menu;
    /// an article's post in the feed stays (it is the account's post).
    public func deletePage(actor: Account, site: Site, page: SitePage) async throws {
        try await ensure(actor, may: \.edit, site)
        try await database.write { db in
            let titles = try await db.raw("SELECT language, title FROM site_translations WHERE page_id = \(bind: page.id)").all().map { row in
                "\(try row.decode(column: "language", as: String.self)): \(try row.decode(column: "title", as: String.self))"
            }
            guard try await db.raw("DELETE FROM site_pages WHERE id = \(bind: page.id) AND site_id = \(bind: site.id) RETURNING id").first() != nil else {
                throw CoreError.notFound
            }
            try await SearchDocuments.remove(kind: "site", id: page.id, db: db)
            try await audit.record(actor: actor.id, action: "site.page_delete", target: "\(site.name)/\(page.slug)",
                                   detail: titles.joined(separator: "; "), db: db)
        }
    }
}
