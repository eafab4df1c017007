extension Schema {
    /// Protecting accounts: app passwords, TOTP, sign-in history, locks and reset links (numbers 90–99).
    static let accountSecurityMigrations: [Migration] = [
        Migration(90, "account security: app passwords, TOTP, recovery codes, sign-in challenges and history, reset links", [
            // A named password for one protocol client (NNTP, SMTP, IMAP); bcrypt like the main password.
            """
            CREATE TABLE app_passwords (
                id BIGINT PRIMARY KEY,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                last_used_at BIGINT,
                last_used_address TEXT NOT NULL DEFAULT ''
            )
            """,
            "CREATE INDEX app_passwords_account ON app_passwords (account_id, id)",
            // The member's TOTP secret (base32). `confirmed_at` NULL: enrolment started, not yet confirmed with
            // a code. `last_step`: the newest time step accepted, so no code is accepted twice.
            """
            CREATE TABLE account_totp (
                account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
                secret TEXT NOT NULL,
                confirmed_at BIGINT,
                last_step BIGINT NOT NULL DEFAULT 0
            )
            """,
            // One-time recovery codes, SHA-256 digests (each has 50 random bits, so a slow hash adds nothing).
            """
            CREATE TABLE totp_recovery_codes (
                id BIGINT PRIMARY KEY,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                code_digest TEXT NOT NULL,
                used_at BIGINT
            )
            """,
            "CREATE INDEX totp_recovery_codes_account ON totp_recovery_codes (account_id)",
            // A password checked, a code still to come: the browser holds the token, this table its digest.
            """
            CREATE TABLE sign_in_challenges (
                token_digest TEXT PRIMARY KEY,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                expires_at BIGINT NOT NULL
            )
            """,
            // What the member sees under "recent sign-ins": which surface, which client, from where, when.
            """
            CREATE TABLE sign_ins (
                id BIGINT PRIMARY KEY,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                surface TEXT NOT NULL,
                client TEXT NOT NULL,
                address TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX sign_ins_account ON sign_ins (account_id, id)",
            // A locked (hacked) account signs in again only through a one-time reset link an admin hands over.
            "ALTER TABLE accounts ADD COLUMN password_reset_required BIGINT NOT NULL DEFAULT 0",
            """
            CREATE TABLE password_resets (
                token_digest TEXT PRIMARY KEY,
                account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                expires_at BIGINT NOT NULL
            )
            """,
        ]),
    ]
}
