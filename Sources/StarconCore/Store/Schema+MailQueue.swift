extension Schema {
    /// Mail submission and the outbound queue (numbers 50–54).
    static let mailQueueMigrations: [Migration] = [
        Migration(50, "mail queue: messages waiting for another domain, one row per recipient, claimed like jobs", [
            // The bytes of a queued message, once for all its recipients; deleted with its last queue row (the
            // sender's Sent copy is theirs to delete, so the queue keeps its own).
            """
            CREATE TABLE mail_queue_messages (
                id BIGINT PRIMARY KEY,
                raw BYTEA NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            // One recipient of one message. A node claims due rows by setting `claimed_by`/`claimed_until`
            // (FOR UPDATE SKIP LOCKED on PostgreSQL); a claim that runs out is taken by another node.
            // `account_id`: the member who sent it, whose INBOX gets the bounce.
            """
            CREATE TABLE mail_queue (
                id BIGINT PRIMARY KEY,
                message_id BIGINT NOT NULL REFERENCES mail_queue_messages (id),
                account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
                sender TEXT NOT NULL,
                recipient TEXT NOT NULL,
                domain TEXT NOT NULL,
                attempts BIGINT NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL,
                claimed_by TEXT,
                claimed_until BIGINT NOT NULL DEFAULT 0,
                last_error TEXT NOT NULL DEFAULT '',
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX mail_queue_due ON mail_queue (next_attempt_at)",
            "CREATE INDEX mail_queue_message ON mail_queue (message_id)",
        ]),
    ]
}
