extension Schema {
    /// Slow links and offline use (numbers 150–154).
    static let offlineMigrations: [Migration] = [
        Migration(150, "data saver: how a member's photos load (NULL: the instance's default); the byte size of each photo version", [
            "ALTER TABLE accounts ADD COLUMN photo_loading TEXT",
            "ALTER TABLE media ADD COLUMN small_bytes BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE media ADD COLUMN large_bytes BIGINT NOT NULL DEFAULT 0",
        ]),
    ]
}
