import Foundation
import SQLKit

/// Finds documents whose text contains a query as a substring, in any script: Korean, Chinese and Japanese
/// write words inside sentences without spaces, so words cannot be split out; an n-gram index finds
/// `평양냉면` inside `평양냉면이었습니다` where a word index would not.
///
/// One table, `search_documents` (kind, doc_id, sender, subject, body), text folded to lower case here so
/// both engines compare alike. Queries of three characters or more use the engine's trigram index (SQLite
/// FTS5 `tokenize='trigram'`, PostgreSQL `pg_trgm` GIN); shorter ones (`냉`, `冷面`) have no trigram and
/// are matched by a scan of the candidate documents (`strpos`/`instr`), which the caller narrows by its own
/// condition (a member's mailboxes), so it stays a scan of one member's mail, not of everyone's.
///
/// Callers write in their own transaction (`add`, `remove`), so a document is findable exactly when it is
/// stored, and ask for a condition on their id column (`condition`) to join with their own access rules.
public struct TextSearchIndex: Sendable {
    /// What a document is (`mail`; later `post`, `article`): ids are unique within a kind.
    public let kind: String
    public let engine: DatabaseEngine

    public init(kind: String, engine: DatabaseEngine) {
        self.kind = kind
        self.engine = engine
    }

    /// Which field a query looks in.
    public enum Field: String, Sendable, CaseIterable {
        case all, sender, subject, body
    }

    /// The most text of one document that is indexed (a long body is found by its first 64K characters).
    public static let maxBodyCharacters = 65_536

    /// Text as indexed and as queried: lower case (any script), NUL removed, whitespace runs made one space.
    public static func fold(_ text: String, limit: Int = maxBodyCharacters) -> String {
        var folded = String(text.lowercased().prefix(limit))
        folded.removeAll { $0 == "\u{0}" }
        return folded.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Adds a new document (`rowID` from the caller's `IDGenerator`).
    public func add(id: Int64, sender: String, subject: String, body: String, rowID: Int64, db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO search_documents (id, kind, doc_id, sender, subject, body)
            VALUES (\(bind: rowID), \(bind: kind), \(bind: id), \(bind: Self.fold(sender, limit: 2_000)),
                \(bind: Self.fold(subject, limit: 2_000)), \(bind: Self.fold(body)))
            """).run()
    }

    /// A document whose text changed (an edited post): the old row goes, the new one comes.
    public func replace(id: Int64, sender: String, subject: String, body: String, rowID: Int64, db: any SQLDatabase) async throws {
        try await remove(ids: [id], db: db)
        try await add(id: id, sender: sender, subject: subject, body: body, rowID: rowID, db: db)
    }

    public func remove(ids: [Int64], db: any SQLDatabase) async throws {
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = ids[start..<min(start + 500, ids.count)]
            try await db.raw("""
                DELETE FROM search_documents WHERE kind = \(bind: kind) AND doc_id IN (\(SQLList(chunk.map { SQLBind($0) })))
                """).run()
        }
    }

    /// The query as searched (folded), nil when it has nothing to look for.
    public static func normalizedQuery(_ text: String) -> String? {
        let folded = fold(text, limit: 200)
        return folded.isEmpty ? nil : folded
    }

    /// A condition that holds when the document whose id is in `idColumn` (e.g. `m.id`) contains `query`
    /// in `field`. `query` must be `normalizedQuery`'s result.
    public func condition(idColumn: String, query: String, field: Field = .all) -> SQLQueryString {
        let columns: [String] = field == .all ? ["sender", "subject", "body"] : [field.rawValue]
        if query.count >= 3 {
            switch engine {
            case .sqlite:
                // FTS5: a quoted string is a phrase; with the trigram tokenizer a phrase matches as a substring.
                // CROSS JOIN keeps the match as the outer loop: left to the planner, it walked every document of
                // the kind and ran the match once per row (17 s instead of 0.3 s over 10,000 messages).
                let phrase = "\"" + query.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                let match = field == .all ? phrase : "\(field.rawValue) : \(phrase)"
                return """
                    \(unsafeRaw: idColumn) IN (SELECT d.doc_id FROM search_fts CROSS JOIN search_documents d ON d.id = search_fts.rowid
                        WHERE search_fts MATCH \(bind: match) AND d.kind = \(bind: kind))
                    """
            case .postgres:
                let pattern = "%" + Self.escapeLike(query) + "%"
                var any: SQLQueryString = ""
                for (index, column) in columns.enumerated() {
                    if index > 0 { any.appendInterpolation(unsafeRaw: " OR ") }
                    any.appendInterpolation(unsafeRaw: "\(column) LIKE ")
                    any.appendInterpolation(bind: pattern)
                    any.appendInterpolation(unsafeRaw: " ESCAPE '\\'")
                }
                return """
                    \(unsafeRaw: idColumn) IN (SELECT doc_id FROM search_documents WHERE kind = \(bind: kind) AND (\(any)))
                    """
            }
        }
        // One or two characters: no trigram to look up; the caller's rows are few, each checked.
        let function = engine == .sqlite ? "instr" : "strpos"
        var any: SQLQueryString = ""
        for (index, column) in columns.enumerated() {
            if index > 0 { any.appendInterpolation(unsafeRaw: " OR ") }
            any.appendInterpolation(unsafeRaw: "\(function)(d.\(column), ")
            any.appendInterpolation(bind: query)
            any.appendInterpolation(unsafeRaw: ") > 0")
        }
        return """
            EXISTS (SELECT 1 FROM search_documents d WHERE d.kind = \(bind: kind) AND d.doc_id = \(unsafeRaw: idColumn) AND (\(any)))
            """
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
