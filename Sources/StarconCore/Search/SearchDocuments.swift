import SQLKit

/// Keeps `search_documents` current for posts, members, articles and site pages, inside the transaction that changes
/// them, so a thing is findable exactly when it is stored. The document's `id` is the thing's own id (ids
/// are unique across kinds, `IDGenerator`), which lets the FTS5 index hand posts over newest first.
/// Searches join the thing's own table, so a document left behind by a cascade delete is never shown.
enum SearchDocuments {
    static func post(id: Int64, text: String, spoilerText: String, db: any SQLDatabase) async throws {
        try await put(kind: "post", id: id, sender: "", subject: spoilerText, body: text, db: db)
    }

    static func account(id: Int64, username: String, displayName: String, db: any SQLDatabase) async throws {
        try await put(kind: "account", id: id, sender: username, subject: displayName, body: "", db: db)
    }

    static func article(id: Int64, authorName: String, subject: String, body: String, db: any SQLDatabase) async throws {
        try await put(kind: "article", id: id, sender: authorName, subject: subject, body: body, db: db)
    }

    /// A site page: every published translation's title in `subject`, their texts in `body`.
    static func sitePage(id: Int64, siteName: String, titles: [String], bodies: [String], db: any SQLDatabase) async throws {
        try await put(kind: "site", id: id, sender: siteName, subject: titles.joined(separator: " "), body: bodies.joined(separator: " "), db: db)
    }

    static func remove(kind: String, id: Int64, db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM search_documents WHERE kind = \(bind: kind) AND doc_id = \(bind: id)").run()
    }

    /// Replaces the document (a delete and an insert, which the FTS5 triggers follow).
    private static func put(kind: String, id: Int64, sender: String, subject: String, body: String, db: any SQLDatabase) async throws {
        try await remove(kind: kind, id: id, db: db)
        try await db.raw("""
            INSERT INTO search_documents (id, kind, doc_id, sender, subject, body)
            VALUES (\(bind: id), \(bind: kind), \(bind: id), \(bind: TextSearchIndex.fold(sender, limit: 2_000)),
                \(bind: TextSearchIndex.fold(subject, limit: 2_000)), \(bind: TextSearchIndex.fold(body)))
            """).run()
    }
}
