extension Schema {
    /// Network search (numbers 120–129): posts, members and newsgroup articles join mail in the text
    /// search index (`search_documents`, `SearchDocuments`), each under its own id. Text is folded to lower
    /// case in every script: SQLite's LOWER knows only ASCII, so there the store's own `unicode_lower`.
    static let search: [Migration] = [
        Migration(120, "posts, members and articles in the text search index", [], sqlite: backfill(lower: "unicode_lower"),
                  postgres: backfill(lower: "LOWER")),
    ]

    private static func backfill(lower: String) -> [String] {
        [
            """
            INSERT INTO search_documents (id, kind, doc_id, sender, subject, body)
            SELECT id, 'post', id, '', \(lower)(spoiler_text), \(lower)(text) FROM statuses WHERE reblog_of_id IS NULL
            """,
            """
            INSERT INTO search_documents (id, kind, doc_id, sender, subject, body)
            SELECT id, 'account', id, \(lower)(username), \(lower)(display_name), '' FROM accounts
            """,
            """
            INSERT INTO search_documents (id, kind, doc_id, sender, subject, body)
            SELECT id, 'article', id, \(lower)(author_name), \(lower)(subject), \(lower)(body) FROM articles
            """,
        ]
    }
}
