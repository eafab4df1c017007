extension Schema {
    /// Sites: institutions' multilingual websites (numbers 140–149).
    static let sitesMigrations: [Migration] = [
        Migration(140, "sites: an account's website, its editors, pages in a menu tree, translations with drafts, revisions", [
            """
            CREATE TABLE sites (
                id BIGINT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                account_id BIGINT NOT NULL REFERENCES accounts (id),
                title TEXT NOT NULL DEFAULT '',
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX sites_account ON sites (account_id)",
            """
            CREATE TABLE site_editors (
                site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
                account_id BIGINT NOT NULL REFERENCES accounts (id),
                added_at BIGINT NOT NULL,
                PRIMARY KEY (site_id, account_id)
            )
            """,
            // `slug` '' is the site's home page. `status_id`: the feed post an article became on its first publishing.
            """
            CREATE TABLE site_pages (
                id BIGINT PRIMARY KEY,
                site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
                slug TEXT NOT NULL,
                kind TEXT NOT NULL,
                parent_id BIGINT REFERENCES site_pages (id) ON DELETE SET NULL,
                position BIGINT NOT NULL DEFAULT 0,
                status_id BIGINT,
                created_at BIGINT NOT NULL,
                UNIQUE (site_id, slug)
            )
            """,
            // One language of a page: the draft being written, and what visitors see (`published_*`, NULL until
            // first published). `publish_at`: the draft goes live then (the `sites.publish_scheduled` job).
            """
            CREATE TABLE site_translations (
                page_id BIGINT NOT NULL REFERENCES site_pages (id) ON DELETE CASCADE,
                language TEXT NOT NULL,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                published_title TEXT,
                published_body TEXT,
                published_at BIGINT,
                publish_at BIGINT,
                updated_at BIGINT NOT NULL,
                updated_by BIGINT NOT NULL,
                PRIMARY KEY (page_id, language)
            )
            """,
            "CREATE INDEX site_translations_due ON site_translations (publish_at)",
            """
            CREATE TABLE site_revisions (
                id BIGINT PRIMARY KEY,
                page_id BIGINT NOT NULL REFERENCES site_pages (id) ON DELETE CASCADE,
                language TEXT NOT NULL,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                action TEXT NOT NULL,
                account_id BIGINT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX site_revisions_page ON site_revisions (page_id, language, id)",
        ]),
        // A page is one search document (kind 'site', id and doc_id the page's id) holding every published
        // translation; see `SiteSearchDocument`. Pages published before this migration are indexed here.
        Migration(141, "sites: published pages in the text search index", [], sqlite: searchBackfill(lower: "unicode_lower", concat: "group_concat", separator: "' '"),
                  postgres: searchBackfill(lower: "LOWER", concat: "string_agg", separator: "' '")),
        // Photos uploaded in the editor belong to the page (kept while it is, served to everyone); `note` says
        // what a revision that is not a text change did (a move: "/old → /new").
        Migration(142, "sites: photos of pages, revision notes", [
            """
            CREATE TABLE site_media (
                media_id BIGINT PRIMARY KEY REFERENCES media (id) ON DELETE CASCADE,
                page_id BIGINT NOT NULL REFERENCES site_pages (id) ON DELETE CASCADE
            )
            """,
            "CREATE INDEX site_media_page ON site_media (page_id)",
            "ALTER TABLE site_revisions ADD COLUMN note TEXT NOT NULL DEFAULT ''",
        ]),
    ]

    private static func searchBackfill(lower: String, concat: String, separator: String) -> [String] {
        [
            """
            INSERT INTO search_documents (id, kind, doc_id, sender, subject, body)
            SELECT p.id, 'site', p.id, MIN(s.name), \(lower)(\(concat)(t.published_title, \(separator))),
                \(lower)(\(concat)(SUBSTR(t.published_body, 1, \(SiteSearchDocument.bodyCharactersPerLanguage)), \(separator)))
            FROM site_pages p JOIN sites s ON s.id = p.site_id JOIN site_translations t ON t.page_id = p.id
            WHERE t.published_body IS NOT NULL GROUP BY p.id
            """,
        ]
    }
}
