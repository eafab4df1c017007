/// Migrations 60–79: what the Mastodon client API needs beyond the feed's own tables.
extension Schema {
    static let mastodonMigrations: [Migration] = [
        Migration(60, "status idempotency keys", [
            // One row per member and key: the unique key is what makes two concurrent retries post once (the
            // second waits on the first's row, then finds it). No foreign key: the row is written before the
            // status in the same transaction, and a key whose status is gone is simply taken again.
            """
            CREATE TABLE status_idempotency (
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                idempotency_key TEXT NOT NULL,
                status_id BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (account_id, idempotency_key)
            )
            """,
            "CREATE INDEX status_idempotency_created ON status_idempotency (created_at)",
        ]),
        Migration(61, "polls", [
            // The poll's id is its status's. Counts are kept with the rows they count, in the vote's transaction.
            """
            CREATE TABLE polls (
                status_id BIGINT PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
                expires_at BIGINT NOT NULL,
                multiple BIGINT NOT NULL,
                hide_totals BIGINT NOT NULL,
                votes_count BIGINT NOT NULL,
                voters_count BIGINT NOT NULL,
                ended BIGINT NOT NULL
            )
            """,
            "CREATE INDEX polls_due ON polls (ended, expires_at)",
            """
            CREATE TABLE poll_options (
                status_id BIGINT NOT NULL REFERENCES polls (status_id) ON DELETE CASCADE,
                position BIGINT NOT NULL,
                title TEXT NOT NULL,
                votes_count BIGINT NOT NULL,
                PRIMARY KEY (status_id, position)
            )
            """,
            """
            CREATE TABLE poll_voters (
                status_id BIGINT NOT NULL REFERENCES polls (status_id) ON DELETE CASCADE,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (status_id, account_id)
            )
            """,
            """
            CREATE TABLE poll_votes (
                status_id BIGINT NOT NULL REFERENCES polls (status_id) ON DELETE CASCADE,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                position BIGINT NOT NULL,
                PRIMARY KEY (status_id, account_id, position)
            )
            """,
            "CREATE INDEX poll_votes_account ON poll_votes (account_id, status_id)",
        ]),
        Migration(62, "scheduled statuses", [
            // What the client asked for, kept as columns until it is posted; the poll's options one a line
            // (an option cannot hold a line break).
            """
            CREATE TABLE scheduled_statuses (
                id BIGINT PRIMARY KEY,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                scheduled_at BIGINT NOT NULL,
                text TEXT NOT NULL,
                spoiler_text TEXT NOT NULL,
                visibility TEXT NOT NULL,
                in_reply_to_id BIGINT,
                language TEXT,
                poll_options TEXT,
                poll_expires_in BIGINT,
                poll_multiple BIGINT NOT NULL DEFAULT 0,
                poll_hide_totals BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX scheduled_statuses_due ON scheduled_statuses (scheduled_at)",
            "CREATE INDEX scheduled_statuses_account ON scheduled_statuses (account_id, id)",
            // Photos wait here, unattached but kept from the orphan sweep.
            """
            CREATE TABLE scheduled_status_media (
                scheduled_id BIGINT NOT NULL REFERENCES scheduled_statuses (id) ON DELETE CASCADE,
                media_id BIGINT NOT NULL UNIQUE REFERENCES media (id) ON DELETE CASCADE,
                position BIGINT NOT NULL,
                PRIMARY KEY (scheduled_id, position)
            )
            """,
        ]),
        Migration(63, "profile images, fields and posting defaults", [
            // The image files' names are kept on the account (read with every status's author); the media rows
            // stay for the orphan sweep to leave alone.
            "ALTER TABLE accounts ADD COLUMN avatar_media_id BIGINT REFERENCES media (id) ON DELETE SET NULL",
            "ALTER TABLE accounts ADD COLUMN avatar_file TEXT",
            "ALTER TABLE accounts ADD COLUMN header_media_id BIGINT REFERENCES media (id) ON DELETE SET NULL",
            "ALTER TABLE accounts ADD COLUMN header_file TEXT",
            "ALTER TABLE accounts ADD COLUMN bot BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE accounts ADD COLUMN discoverable BIGINT NOT NULL DEFAULT 1",
            // Name/value pairs, one a line, name and value split by a tab (neither may hold either).
            "ALTER TABLE accounts ADD COLUMN profile_fields TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE accounts ADD COLUMN posting_privacy TEXT NOT NULL DEFAULT 'public'",
            "ALTER TABLE accounts ADD COLUMN posting_sensitive BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE accounts ADD COLUMN posting_language TEXT",
            "CREATE INDEX accounts_avatar_media ON accounts (avatar_media_id)",
            "CREATE INDEX accounts_header_media ON accounts (header_media_id)",
        ]),
        Migration(64, "timeline read markers", [
            """
            CREATE TABLE markers (
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                timeline TEXT NOT NULL,
                last_read_id BIGINT NOT NULL,
                version BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (account_id, timeline)
            )
            """,
        ]),
        Migration(65, "pinned statuses, followed tags, notes on accounts, endorsements", [
            """
            CREATE TABLE status_pins (
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (account_id, status_id)
            )
            """,
            "CREATE INDEX status_pins_status ON status_pins (status_id)",
            """
            CREATE TABLE tag_follows (
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                tag TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (account_id, tag)
            )
            """,
            "CREATE INDEX tag_follows_tag ON tag_follows (tag, account_id)",
            """
            CREATE TABLE account_notes (
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                target_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                note TEXT NOT NULL,
                PRIMARY KEY (account_id, target_id)
            )
            """,
            """
            CREATE TABLE endorsements (
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                target_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (account_id, target_id)
            )
            """,
        ]),
        Migration(66, "lists", [
            """
            CREATE TABLE lists (
                id BIGINT PRIMARY KEY,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                title TEXT NOT NULL,
                replies_policy TEXT NOT NULL,
                exclusive BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX lists_account ON lists (account_id, id)",
            """
            CREATE TABLE list_members (
                list_id BIGINT NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                PRIMARY KEY (list_id, account_id)
            )
            """,
            "CREATE INDEX list_members_account ON list_members (account_id, list_id)",
        ]),
        Migration(67, "filters", [
            // contexts: the Mastodon context names, space-separated.
            """
            CREATE TABLE filters (
                id BIGINT PRIMARY KEY,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                title TEXT NOT NULL,
                contexts TEXT NOT NULL,
                action TEXT NOT NULL,
                expires_at BIGINT,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX filters_account ON filters (account_id, id)",
            """
            CREATE TABLE filter_keywords (
                id BIGINT PRIMARY KEY,
                filter_id BIGINT NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
                keyword TEXT NOT NULL,
                whole_word BIGINT NOT NULL
            )
            """,
            "CREATE INDEX filter_keywords_filter ON filter_keywords (filter_id, id)",
            """
            CREATE TABLE filter_statuses (
                id BIGINT PRIMARY KEY,
                filter_id BIGINT NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
                status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
                UNIQUE (filter_id, status_id)
            )
            """,
        ]),
        Migration(68, "direct conversations", [
            // One row per participant and thread (named by the thread's first direct status).
            """
            CREATE TABLE account_conversations (
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                root_id BIGINT NOT NULL,
                last_status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
                unread BIGINT NOT NULL,
                PRIMARY KEY (account_id, root_id)
            )
            """,
            "CREATE INDEX account_conversations_last ON account_conversations (account_id, last_status_id)",
        ]),
        Migration(69, "thread mutes", [
            // The thread is named by its root status; no foreign key, so a muted thread stays muted when its
            // first post is deleted (its replies still point at it).
            """
            CREATE TABLE thread_mutes (
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                thread_id BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (account_id, thread_id)
            )
            """,
        ]),
    ]
}
