/// Migrations 70–79 (the rest of issue 16): statuses marked sensitive (Mastodon's `sensitive`, defaulting to
/// the member's `source[sensitive]`), kept on scheduled statuses too.
extension Schema {
    static let apps16Migrations: [Migration] = [
        Migration(70, "statuses: sensitive flag", [
            "ALTER TABLE statuses ADD COLUMN sensitive BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE scheduled_statuses ADD COLUMN sensitive BIGINT NOT NULL DEFAULT 0",
        ]),
    ]
}
