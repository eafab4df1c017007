extension Schema {
    /// The web's people pages and notification bell (numbers 130–134).
    static let peopleMigrations: [Migration] = [
        // The newest notification the member has seen on the notifications page: the bell counts unread ones
        // after it. "Read" (the apps' marker, "mark all as read") stays a separate, explicit step.
        Migration(130, "accounts: the newest notification seen", [
            "ALTER TABLE accounts ADD COLUMN notifications_seen_id BIGINT NOT NULL DEFAULT 0",
        ]),
    ]
}
