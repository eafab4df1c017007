/// Every migration, in order. Append; never edit one that has shipped.
///
/// Conventions: ids are 64-bit time-ordered (`IDGenerator`); times are Unix milliseconds in BIGINT; flags are
/// BIGINT 0/1; so one schema text serves SQLite and PostgreSQL.
public enum Schema {
    public static let migrations: [Migration] = [
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
    ]
}
