/// Every migration, in order. Append; never edit one that has shipped.
///
/// Conventions: ids are 64-bit time-ordered (`IDGenerator`); times are Unix milliseconds in BIGINT; flags are
/// BIGINT 0/1; so one schema text serves SQLite and PostgreSQL.
public enum Schema {
    /// Each area appends its own list (in `Schema+<Area>.swift`, numbers in its own range) so branches do not collide:
    /// mail submission and queue 50–54, IMAP 55–59, Mastodon API 60–79, web mail and search 80–89, account security 90–99,
    /// moderation 100–109, announcements and dashboard 110–119, search 120–129, people 130–134, sites 140–149, offline 150–154.
    /// In version order, as the Migrator applies them (an area's list may come after a higher range's).
    public static let migrations: [Migration] = (base + mailQueueMigrations + mastodonMigrations + mailSearch + mailBytes + mailFetchCache
        + accountSecurityMigrations + moderationMigrations + announcementMigrations + search + peopleMigrations + sitesMigrations + apps16Migrations
        + offlineMigrations).sorted { $0.version < $1.version }

    static let base: [Migration] = [
        Migration(1, "accounts, sessions, invitations, settings", [
            """
            CREATE TABLE accounts (
                id BIGINT PRIMARY KEY,
                username TEXT NOT NULL,
                username_key TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                bio TEXT NOT NULL DEFAULT '',
                kind TEXT NOT NULL,
                role TEXT NOT NULL,
                status TEXT NOT NULL,
                status_reason TEXT NOT NULL DEFAULT '',
                registration_note TEXT NOT NULL DEFAULT '',
                language TEXT,
                password_hash TEXT NOT NULL,
                email_only BIGINT NOT NULL DEFAULT 0,
                expires_at BIGINT,
                invited_by BIGINT,
                created_at BIGINT NOT NULL,
                last_seen_at BIGINT
            )
            """,
            "CREATE INDEX accounts_status_id ON accounts (status, id)",
            "CREATE INDEX accounts_role ON accounts (role)",
            """
            CREATE TABLE sessions (
                id BIGINT PRIMARY KEY,
                token_hash TEXT NOT NULL UNIQUE,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                user_agent TEXT NOT NULL,
                address TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                last_used_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX sessions_account_id ON sessions (account_id, id)",
            """
            CREATE TABLE invitations (
                id BIGINT PRIMARY KEY,
                code TEXT NOT NULL UNIQUE,
                created_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
                max_uses BIGINT NOT NULL,
                uses BIGINT NOT NULL DEFAULT 0,
                expires_at BIGINT,
                revoked BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE login_failures (
                throttle_key TEXT PRIMARY KEY,
                failures BIGINT NOT NULL,
                window_start BIGINT NOT NULL
            )
            """,
            "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
            """
            CREATE TABLE audit_log (
                id BIGINT PRIMARY KEY,
                actor_id BIGINT,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                detail TEXT NOT NULL DEFAULT '',
                created_at BIGINT NOT NULL
            )
            """,
        ]),
        Migration(2, "newsgroups and articles", [
            """
            CREATE TABLE newsgroups (
                id BIGINT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                description TEXT NOT NULL DEFAULT '',
                posting TEXT NOT NULL,
                high BIGINT NOT NULL DEFAULT 0,
                article_count BIGINT NOT NULL DEFAULT 0,
                created_by TEXT NOT NULL DEFAULT '',
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE newsgroup_moderators (
                group_id BIGINT NOT NULL REFERENCES newsgroups (id) ON DELETE CASCADE,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                PRIMARY KEY (group_id, account_id)
            )
            """,
            """
            CREATE TABLE articles (
                id BIGINT PRIMARY KEY,
                message_id TEXT NOT NULL UNIQUE,
                author_id BIGINT NOT NULL REFERENCES accounts (id),
                from_header TEXT NOT NULL,
                author_name TEXT NOT NULL,
                subject TEXT NOT NULL,
                newsgroups TEXT NOT NULL,
                references_header TEXT NOT NULL DEFAULT '',
                parent_id BIGINT,
                thread_id BIGINT NOT NULL,
                body TEXT NOT NULL,
                extra_headers TEXT NOT NULL DEFAULT '',
                posted_at BIGINT NOT NULL,
                bytes BIGINT NOT NULL DEFAULT 0,
                lines BIGINT NOT NULL DEFAULT 0,
                status TEXT NOT NULL
            )
            """,
            "CREATE INDEX articles_status_id ON articles (status, id)",
            "CREATE INDEX articles_thread_id ON articles (thread_id, id)",
            """
            CREATE TABLE group_articles (
                group_id BIGINT NOT NULL REFERENCES newsgroups (id) ON DELETE CASCADE,
                number BIGINT NOT NULL,
                article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
                PRIMARY KEY (group_id, number)
            )
            """,
            "CREATE INDEX group_articles_article ON group_articles (article_id)",
            """
            CREATE TABLE news_threads (
                group_id BIGINT NOT NULL REFERENCES newsgroups (id) ON DELETE CASCADE,
                thread_id BIGINT NOT NULL,
                subject TEXT NOT NULL,
                author_name TEXT NOT NULL,
                last_number BIGINT NOT NULL,
                last_posted_at BIGINT NOT NULL,
                article_count BIGINT NOT NULL,
                PRIMARY KEY (group_id, thread_id)
            )
            """,
            "CREATE INDEX news_threads_activity ON news_threads (group_id, last_number)",
            """
            CREATE TABLE news_subscriptions (
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                group_id BIGINT NOT NULL REFERENCES newsgroups (id) ON DELETE CASCADE,
                subscribed BIGINT NOT NULL DEFAULT 0,
                read_up_to BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (account_id, group_id)
            )
            """,
            """
            CREATE TABLE news_reads (
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
                PRIMARY KEY (account_id, article_id)
            )
            """,
        ]),
        Migration(3, "OAuth applications and tokens", [
            """
            CREATE TABLE oauth_apps (
                id BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                website TEXT NOT NULL DEFAULT '',
                redirect_uris TEXT NOT NULL,
                scopes TEXT NOT NULL,
                client_id TEXT NOT NULL UNIQUE,
                client_secret_digest TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE oauth_codes (
                code_digest TEXT PRIMARY KEY,
                app_id BIGINT NOT NULL REFERENCES oauth_apps (id) ON DELETE CASCADE,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                scopes TEXT NOT NULL,
                redirect_uri TEXT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE oauth_tokens (
                id BIGINT PRIMARY KEY,
                token_digest TEXT NOT NULL UNIQUE,
                app_id BIGINT REFERENCES oauth_apps (id) ON DELETE CASCADE,
                account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
                scopes TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                last_used_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX oauth_tokens_account ON oauth_tokens (account_id, id)",
        ]),
        Migration(4, "feed: statuses, follows, blocks, interactions, notifications", [
            "ALTER TABLE accounts ADD COLUMN locked BIGINT NOT NULL DEFAULT 0",
            """
            CREATE TABLE statuses (
                id BIGINT PRIMARY KEY,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                text TEXT NOT NULL,
                spoiler_text TEXT NOT NULL DEFAULT '',
                visibility TEXT NOT NULL,
                in_reply_to_id BIGINT,
                in_reply_to_account_id BIGINT,
                reblog_of_id BIGINT REFERENCES statuses (id) ON DELETE CASCADE,
                language TEXT,
                created_at BIGINT NOT NULL,
                edited_at BIGINT,
                replies_count BIGINT NOT NULL DEFAULT 0,
                reblogs_count BIGINT NOT NULL DEFAULT 0,
                favourites_count BIGINT NOT NULL DEFAULT 0
            )
            """,
            // The home timeline reads followed accounts' statuses newest first: one index range per author.
            "CREATE INDEX statuses_account ON statuses (account_id, id)",
            "CREATE INDEX statuses_reply ON statuses (in_reply_to_id, id)",
            "CREATE UNIQUE INDEX statuses_reblog ON statuses (reblog_of_id, account_id)",
            """
            CREATE TABLE status_edits (
                id BIGINT PRIMARY KEY,
                status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
                text TEXT NOT NULL,
                spoiler_text TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX status_edits_status ON status_edits (status_id, id)",
            """
            CREATE TABLE status_mentions (
                status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                PRIMARY KEY (status_id, account_id)
            )
            """,
            "CREATE INDEX status_mentions_account ON status_mentions (account_id, status_id)",
            """
            CREATE TABLE status_tags (
                tag TEXT NOT NULL,
                status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
                PRIMARY KEY (tag, status_id)
            )
            """,
            """
            CREATE TABLE favourites (
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (account_id, status_id)
            )
            """,
            "CREATE INDEX favourites_status ON favourites (status_id, created_at)",
            """
            CREATE TABLE bookmarks (
                id BIGINT NOT NULL,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
                PRIMARY KEY (account_id, status_id)
            )
            """,
            "CREATE INDEX bookmarks_order ON bookmarks (account_id, id)",
            """
            CREATE TABLE follows (
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                target_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (account_id, target_id)
            )
            """,
            "CREATE INDEX follows_target ON follows (target_id, account_id)",
            """
            CREATE TABLE follow_requests (
                id BIGINT NOT NULL,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                target_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                PRIMARY KEY (account_id, target_id)
            )
            """,
            "CREATE INDEX follow_requests_target ON follow_requests (target_id, id)",
            """
            CREATE TABLE blocks (
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                target_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                PRIMARY KEY (account_id, target_id)
            )
            """,
            "CREATE INDEX blocks_target ON blocks (target_id, account_id)",
            """
            CREATE TABLE mutes (
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                target_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                PRIMARY KEY (account_id, target_id)
            )
            """,
            """
            CREATE TABLE notifications (
                id BIGINT PRIMARY KEY,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                type TEXT NOT NULL,
                from_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                status_id BIGINT REFERENCES statuses (id) ON DELETE CASCADE,
                emoji TEXT,
                created_at BIGINT NOT NULL,
                read BIGINT NOT NULL DEFAULT 0
            )
            """,
            "CREATE INDEX notifications_account ON notifications (account_id, id)",
            // Home timelines, fanned out when a status is posted: reading one is a single index range,
            // whatever the size of the network. `HomeFeed` keeps it.
            """
            CREATE TABLE home_feed (
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
                author_id BIGINT NOT NULL,
                PRIMARY KEY (account_id, status_id)
            )
            """,
            "CREATE INDEX home_feed_author ON home_feed (account_id, author_id)",
        ]),
        Migration(5, "media: photos attached to statuses; emoji reactions", [
            """
            CREATE TABLE media (
                id BIGINT PRIMARY KEY,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                status_id BIGINT REFERENCES statuses (id) ON DELETE SET NULL,
                position BIGINT NOT NULL DEFAULT 0,
                digest TEXT NOT NULL,
                description TEXT NOT NULL DEFAULT '',
                blurhash TEXT NOT NULL,
                original_ext TEXT NOT NULL, original_width BIGINT NOT NULL, original_height BIGINT NOT NULL,
                large_ext TEXT NOT NULL, large_width BIGINT NOT NULL, large_height BIGINT NOT NULL,
                small_ext TEXT NOT NULL, small_width BIGINT NOT NULL, small_height BIGINT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX media_status ON media (status_id, id)",
            "CREATE INDEX media_account ON media (account_id, id)",
            """
            CREATE TABLE status_reactions (
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
                emoji TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (status_id, emoji, account_id)
            )
            """,
        ]),
        // Migration 5 is reserved for media (photos); the Migrator applies whatever is missing, gaps included.
        Migration(6, "messenger: conversations, members, messages", [
            """
            CREATE TABLE conversations (
                id BIGINT PRIMARY KEY,
                kind TEXT NOT NULL,
                title TEXT NOT NULL DEFAULT '',
                direct_key TEXT UNIQUE,
                created_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
                created_at BIGINT NOT NULL,
                last_activity_at BIGINT NOT NULL,
                last_message_id BIGINT
            )
            """,
            """
            CREATE TABLE conversation_members (
                conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                role TEXT NOT NULL,
                joined_at BIGINT NOT NULL,
                last_read_id BIGINT NOT NULL DEFAULT 0,
                muted BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (conversation_id, account_id)
            )
            """,
            "CREATE INDEX conversation_members_account ON conversation_members (account_id, conversation_id)",
            """
            CREATE TABLE messages (
                id BIGINT PRIMARY KEY,
                conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
                sender_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                text TEXT NOT NULL,
                -- The text lowercased in Swift (Unicode-aware on both engines), for search.
                text_folded TEXT NOT NULL,
                reply_to_id BIGINT,
                client_key TEXT,
                created_at BIGINT NOT NULL,
                edited_at BIGINT
            )
            """,
            // History and unread counts are ranges of one conversation's ids.
            "CREATE INDEX messages_conversation ON messages (conversation_id, id)",
            // A retried send (same client key) finds the first one instead of storing it twice.
            "CREATE UNIQUE INDEX messages_client_key ON messages (sender_id, conversation_id, client_key)",
        ]),
        Migration(7, "messenger: pictures in messages", [
            // A photo is on at most one status or one message; the files stay content-addressed and shared.
            "ALTER TABLE media ADD COLUMN message_id BIGINT",
            "CREATE INDEX media_message ON media (message_id, position, id)",
        ]),
        Migration(8, "news: overview lines formatted when an article is published", [
            // OVER sends `number TAB overview` straight from the (group_id, number) key, without reading the
            // article (and its body) or formatting anything. Rows published before this migration are filled
            // by NewsService.fillMissingOverviews when the store is opened.
            "ALTER TABLE group_articles ADD COLUMN overview TEXT",
            // Finds the rows still to fill without reading the whole table, each time the store is opened.
            "CREATE INDEX group_articles_overview_missing ON group_articles (article_id) WHERE overview IS NULL",
        ]),
        Migration(9, "event log, node leases, jobs; messages ordered by the log", [
            // Every change someone may be watching, written in the transaction that makes it (EventLog). `seq`
            // comes from `event_clock`, taken as the transaction's last statement, so sequence order is commit
            // order on every node and readers never see a gap.
            """
            CREATE TABLE events (
                seq BIGINT PRIMARY KEY,
                kind TEXT NOT NULL,
                -- '*' for everyone, else the account ids it is for, separated by commas.
                audience TEXT NOT NULL,
                -- The event's ids, encoded by StoredEvent.
                body TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX events_created ON events (created_at)",
            "CREATE TABLE event_clock (id BIGINT PRIMARY KEY, seq BIGINT NOT NULL)",
            // A message's place in the log: what a reconnecting client resumes by. Messages from before the
            // log keep their id as their place, and the clock starts after them.
            "ALTER TABLE messages ADD COLUMN seq BIGINT",
            "UPDATE messages SET seq = id",
            "CREATE UNIQUE INDEX messages_seq ON messages (seq)",
            "INSERT INTO event_clock (id, seq) SELECT 1, COALESCE(MAX(id), 0) FROM messages",
            // The 256 id tags (IDGenerator) a process leases so two live processes never make the same id.
            """
            CREATE TABLE node_leases (
                tag BIGINT PRIMARY KEY,
                holder TEXT NOT NULL DEFAULT '',
                expires_at BIGINT NOT NULL DEFAULT 0
            )
            """,
            """
            INSERT INTO node_leases (tag)
            WITH RECURSIVE tags (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM tags WHERE n < 255) SELECT n FROM tags
            """,
            // Periodic and deferred work, claimed by one node at a time (JobRunner).
            """
            CREATE TABLE jobs (
                name TEXT PRIMARY KEY,
                due_at BIGINT NOT NULL,
                every_ms BIGINT NOT NULL DEFAULT 0,
                claimed_by TEXT,
                claimed_until BIGINT NOT NULL DEFAULT 0,
                runs BIGINT NOT NULL DEFAULT 0,
                last_node TEXT,
                last_run_at BIGINT,
                last_error TEXT
            )
            """,
            "CREATE INDEX jobs_due ON jobs (due_at)",
        ]),
        Migration(20, "rate counters: sign-in attempts counted before the password is checked, app registrations", [
            // Replaces login_failures (counted after the check, so parallel attempts all got through; its
            // counts are at most 15 minutes old and are not carried over). See RateLimit.
            "DROP TABLE login_failures",
            """
            CREATE TABLE rate_counters (
                counter_key TEXT PRIMARY KEY,
                events BIGINT NOT NULL,
                window_start BIGINT NOT NULL
            )
            """,
            "CREATE INDEX rate_counters_window ON rate_counters (window_start)",
        ]),
        Migration(21, "OAuth apps: whether one ever got a token, so unused registrations can be deleted", [
            "ALTER TABLE oauth_apps ADD COLUMN used BIGINT NOT NULL DEFAULT 0",
            // An app that holds no token now is taken as never used (its tokens, if any, were revoked).
            "UPDATE oauth_apps SET used = 1 WHERE EXISTS (SELECT 1 FROM oauth_tokens t WHERE t.app_id = oauth_apps.id)",
            "CREATE INDEX oauth_apps_unused ON oauth_apps (created_at) WHERE used = 0",
        ]),
        Migration(22, "news: each moderated group of a crosspost approves it for itself", [
            """
            CREATE TABLE article_approvals (
                article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
                group_id BIGINT NOT NULL REFERENCES newsgroups (id) ON DELETE CASCADE,
                approved_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
                approved_at BIGINT,
                PRIMARY KEY (article_id, group_id)
            )
            """,
            // A group's moderation queue: what still waits for it.
            "CREATE INDEX article_approvals_waiting ON article_approvals (group_id, article_id) WHERE approved_at IS NULL",
            // Articles already waiting wait for every moderated group they name that their author does not
            // moderate. Names are matched whole (fenced by commas, with `_` escaped: it is LIKE's wildcard).
            """
            INSERT INTO article_approvals (article_id, group_id)
            SELECT a.id, g.id FROM articles a JOIN newsgroups g
                ON (',' || a.newsgroups || ',') LIKE ('%,' || REPLACE(g.name, '_', '\\_') || ',%') ESCAPE '\\'
            WHERE a.status = 'pending' AND g.posting = 'moderated'
                AND NOT EXISTS (SELECT 1 FROM newsgroup_moderators m WHERE m.group_id = g.id AND m.account_id = a.author_id)
            """,
        ]),
        Migration(27, "media: rows found by digest", [
            // Serving a file looks up who may cache it, and removing a deleted photo's files first checks that
            // no other upload of the same bytes still names them.
            "CREATE INDEX media_digest ON media (digest)",
        ]),
        Migration(30, "mail: mailboxes, messages stored once, per-mailbox entries with uids and flags", [
            // One row per member who has used mail: the clock UIDVALIDITY values come from, so a mailbox that is
            // deleted and made again never repeats a UIDVALIDITY (RFC 3501 §2.3.1.1).
            """
            CREATE TABLE mail_accounts (
                account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
                uid_validity BIGINT NOT NULL
            )
            """,
            // A member's folders. `name` is the full name with `/` between levels; INBOX is always "INBOX".
            // `uid_next` and `highest_modseq` are taken (UPDATE … RETURNING) in the transaction that adds or
            // changes an entry, so UIDs are unique and increasing with several nodes writing. `recent_from`:
            // entries from this uid on are \Recent (no session has selected the mailbox since they came).
            """
            CREATE TABLE mailboxes (
                id BIGINT PRIMARY KEY,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                role TEXT,
                uid_validity BIGINT NOT NULL,
                uid_next BIGINT NOT NULL DEFAULT 1,
                highest_modseq BIGINT NOT NULL DEFAULT 1,
                recent_from BIGINT NOT NULL DEFAULT 1,
                subscribed BIGINT NOT NULL DEFAULT 1,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX mailboxes_account_name ON mailboxes (account_id, name)",
            "CREATE UNIQUE INDEX mailboxes_account_role ON mailboxes (account_id, role) WHERE role IS NOT NULL",
            // A message's bytes, stored once however many mailboxes (of however many members) hold it; the
            // summary columns are read from its header when it is stored. `header_size`: the bytes up to and
            // including the blank line, so a header is read without the body.
            """
            CREATE TABLE mail_messages (
                id BIGINT PRIMARY KEY,
                raw BYTEA NOT NULL,
                size BIGINT NOT NULL,
                header_size BIGINT NOT NULL,
                received_at BIGINT NOT NULL,
                from_text TEXT NOT NULL DEFAULT '',
                to_text TEXT NOT NULL DEFAULT '',
                cc_text TEXT NOT NULL DEFAULT '',
                subject TEXT NOT NULL DEFAULT '',
                message_id_header TEXT NOT NULL DEFAULT '',
                in_reply_to TEXT NOT NULL DEFAULT '',
                refs TEXT NOT NULL DEFAULT '',
                sent_at BIGINT,
                has_attachments BIGINT NOT NULL DEFAULT 0
            )
            """,
            // A message in a mailbox: its uid there, its flags, and the modseq of its last change (CONDSTORE).
            """
            CREATE TABLE mail_entries (
                mailbox_id BIGINT NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
                uid BIGINT NOT NULL,
                message_id BIGINT NOT NULL REFERENCES mail_messages (id),
                seen BIGINT NOT NULL DEFAULT 0,
                answered BIGINT NOT NULL DEFAULT 0,
                flagged BIGINT NOT NULL DEFAULT 0,
                deleted BIGINT NOT NULL DEFAULT 0,
                draft BIGINT NOT NULL DEFAULT 0,
                keywords TEXT NOT NULL DEFAULT '',
                modseq BIGINT NOT NULL,
                PRIMARY KEY (mailbox_id, uid)
            )
            """,
            "CREATE INDEX mail_entries_message ON mail_entries (message_id)",
            "CREATE INDEX mail_entries_unseen ON mail_entries (mailbox_id, uid) WHERE seen = 0",
            "CREATE INDEX mail_entries_modseq ON mail_entries (mailbox_id, modseq)",
            // Uids expunged from a mailbox and the modseq of the expunge, so a session on another node learns
            // what vanished since the modseq it knows (as QRESYNC's VANISHED).
            """
            CREATE TABLE mail_expunged (
                mailbox_id BIGINT NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
                uid BIGINT NOT NULL,
                modseq BIGINT NOT NULL,
                PRIMARY KEY (mailbox_id, uid)
            )
            """,
            "CREATE INDEX mail_expunged_modseq ON mail_expunged (mailbox_id, modseq)",
        ]),
        Migration(45, "accounts: the member's time zone for dates on the web (nil: the browser's, else the instance's)", [
            "ALTER TABLE accounts ADD COLUMN time_zone TEXT",
        ]),
    ]
}
