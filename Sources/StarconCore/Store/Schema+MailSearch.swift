extension Schema {
    /// Web mail and the text search index (numbers 80–89).
    static let mailSearch: [Migration] = [
        // Documents of any kind (mail now; posts and articles later) with their searchable text, folded to
        // lower case. Found by substring through an n-gram index: SQLite's FTS5 trigram tokenizer (an
        // external-content table kept by triggers) or PostgreSQL's pg_trgm GIN indexes. See `TextSearchIndex`.
        Migration(80, "text search index", [
            """
            CREATE TABLE search_documents (
                id BIGINT PRIMARY KEY,
                kind TEXT NOT NULL,
                doc_id BIGINT NOT NULL,
                sender TEXT NOT NULL,
                subject TEXT NOT NULL,
                body TEXT NOT NULL,
                UNIQUE (kind, doc_id)
            )
            """,
        ], sqlite: [
            "CREATE VIRTUAL TABLE search_fts USING fts5(sender, subject, body, content='search_documents', content_rowid='id', tokenize='trigram')",
            """
            CREATE TRIGGER search_documents_insert AFTER INSERT ON search_documents BEGIN
                INSERT INTO search_fts (rowid, sender, subject, body) VALUES (new.id, new.sender, new.subject, new.body);
            END
            """,
            """
            CREATE TRIGGER search_documents_delete AFTER DELETE ON search_documents BEGIN
                INSERT INTO search_fts (search_fts, rowid, sender, subject, body) VALUES ('delete', old.id, old.sender, old.subject, old.body);
            END
            """,
        ], postgres: [
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "CREATE INDEX search_documents_sender_trgm ON search_documents USING gin (sender gin_trgm_ops)",
            "CREATE INDEX search_documents_subject_trgm ON search_documents USING gin (subject gin_trgm_ops)",
            "CREATE INDEX search_documents_body_trgm ON search_documents USING gin (body gin_trgm_ops)",
        ]),
        // Existing mail is indexed by its summary columns (its body waits until it is next stored).
        Migration(81, "mail in the text search index", [
            """
            INSERT INTO search_documents (id, kind, doc_id, sender, subject, body)
            SELECT id, 'mail', id, LOWER(from_text), LOWER(subject), '' FROM mail_messages
            """,
        ]),
        Migration(82, "mail settings", [
            """
            CREATE TABLE mail_settings (
                account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
                signature TEXT NOT NULL DEFAULT ''
            )
            """,
        ]),
    ]
}
