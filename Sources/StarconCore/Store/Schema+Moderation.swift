extension Schema {
    /// Reports, warnings, limits and timed suspensions (numbers 100–109).
    static let moderationMigrations: [Migration] = [
        Migration(100, "moderation: reports, warnings, limited accounts, timed suspensions", [
            // One report of one thing. `account_id` is the member the report is about (the author of the
            // post, message, article or mail, or the account itself); `excerpt` keeps what the reporter saw,
            // so moderators can judge a private message or a mail without reading anyone's mailbox.
            """
            CREATE TABLE reports (
                id BIGINT PRIMARY KEY,
                reporter_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                target_kind TEXT NOT NULL,
                target_id BIGINT NOT NULL,
                status_ids TEXT NOT NULL DEFAULT '',
                account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
                category TEXT NOT NULL,
                comment TEXT NOT NULL DEFAULT '',
                excerpt TEXT NOT NULL DEFAULT '',
                state TEXT NOT NULL DEFAULT 'open',
                outcome TEXT,
                note TEXT NOT NULL DEFAULT '',
                resolved_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
                resolved_at BIGINT,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX reports_state ON reports (state, id)",
            // A moderator's warning, shown on the member's pages until they acknowledge it.
            """
            CREATE TABLE account_warnings (
                id BIGINT PRIMARY KEY,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                report_id BIGINT REFERENCES reports (id) ON DELETE SET NULL,
                text TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                acknowledged_at BIGINT
            )
            """,
            "CREATE INDEX account_warnings_account ON account_warnings (account_id, acknowledged_at)",
            // Limited: others see the member's posts as followers-only (`Viewer.canSee`).
            "ALTER TABLE accounts ADD COLUMN limited BIGINT NOT NULL DEFAULT 0",
            // A timed suspension's end; the `accounts.end_suspensions` job lifts it.
            "ALTER TABLE accounts ADD COLUMN suspended_until BIGINT",
            "CREATE INDEX accounts_suspended_until ON accounts (suspended_until)",
            "CREATE INDEX accounts_expires_at ON accounts (expires_at)",
            // The report a `report_resolved` notification tells the outcome of.
            "ALTER TABLE notifications ADD COLUMN report_id BIGINT REFERENCES reports (id) ON DELETE CASCADE",
        ]),
    ]
}
