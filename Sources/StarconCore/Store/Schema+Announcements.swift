extension Schema {
    /// Announcements and the admin dashboard's daily activity (numbers 110–119).
    static let announcementMigrations: [Migration] = [
        Migration(110, "announcements: texts per language, dismissals, delivery to the newsgroup and every INBOX", [
            // `ended_at`: an admin ended it early (it stays for the admin list). `article_id`: its article in the
            // announcements newsgroup, once posted. `mail_cursor`: the highest account id whose INBOX has it
            // (the delivery job goes on from there); `mail_done` once every member has it.
            """
            CREATE TABLE announcements (
                id BIGINT PRIMARY KEY,
                author_id BIGINT NOT NULL REFERENCES accounts (id),
                severity TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT,
                ended_at BIGINT,
                article_id BIGINT,
                mail_cursor BIGINT NOT NULL DEFAULT 0,
                mail_done BIGINT NOT NULL DEFAULT 0
            )
            """,
            "CREATE INDEX announcements_live ON announcements (ended_at, expires_at)",
            """
            CREATE TABLE announcement_texts (
                announcement_id BIGINT NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
                language TEXT NOT NULL,
                text TEXT NOT NULL,
                PRIMARY KEY (announcement_id, language)
            )
            """,
            """
            CREATE TABLE announcement_dismissals (
                announcement_id BIGINT NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                dismissed_at BIGINT NOT NULL,
                PRIMARY KEY (account_id, announcement_id)
            )
            """,
        ]),
        Migration(111, "active members per day: one row per member and UTC day they used a session", [
            """
            CREATE TABLE account_active_days (
                day BIGINT NOT NULL,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                PRIMARY KEY (day, account_id)
            )
            """,
        ]),
    ]
}
