extension Schema {
    /// Mail (numbers 83–89).
    static let mailBytes: [Migration] = [
        // A message's bytes leave its summary row: SQLite keeps a row's columns in order, so reading any column
        // after a large `raw` blob walked the blob's overflow pages, and listing envelopes or flags of a mailbox
        // read every message whole. The header (FETCH ENVELOPE, SEARCH TEXT's header test) stays in the row.
        Migration(83, "mail: message bytes in a table of their own, the header in the summary row", [
            """
            CREATE TABLE mail_message_bytes (
                message_id BIGINT PRIMARY KEY REFERENCES mail_messages (id),
                raw BYTEA NOT NULL
            )
            """,
            "INSERT INTO mail_message_bytes (message_id, raw) SELECT id, raw FROM mail_messages",
        ], sqlite: [
            "ALTER TABLE mail_messages ADD COLUMN header BLOB NOT NULL DEFAULT x''",
            "UPDATE mail_messages SET header = substr(raw, 1, CAST(header_size AS INTEGER))",
            "ALTER TABLE mail_messages DROP COLUMN raw",
        ], postgres: [
            "ALTER TABLE mail_messages ADD COLUMN header BYTEA NOT NULL DEFAULT ''::bytea",
            "UPDATE mail_messages SET header = substring(raw from 1 for header_size::integer)",
            "ALTER TABLE mail_messages DROP COLUMN raw",
        ]),
    ]
}
