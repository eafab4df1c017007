import SQLKit

/// The visibility rule of `Viewer.canSee` written as SQL conditions, so a search applies it inside its one
/// query (a page is full and the next one starts where it ended) instead of filtering rows after reading.
/// A change to `Viewer.canSee` must be made here too; `SearchStoreTests` holds the two to the same cases.
enum SearchVisibility {
    /// Over `s` (the status) and `a` (its author): one's own posts; otherwise an active author who has not
    /// blocked the viewer nor been blocked, and public or unlisted, followers-only to a follower or someone
    /// mentioned, direct to someone mentioned.
    static func statuses(viewer me: Int64) -> SQLQueryString {
        """
        (s.reblog_of_id IS NULL AND (s.account_id = \(bind: me) OR (a.status = 'active' AND \(notBlocked("s.account_id", viewer: me))
          AND (s.visibility IN ('public', 'unlisted')
            OR (s.visibility = 'private' AND EXISTS (SELECT 1 FROM follows f WHERE f.account_id = \(bind: me) AND f.target_id = s.account_id))
            OR (s.visibility IN ('private', 'direct') AND EXISTS (SELECT 1 FROM status_mentions sm WHERE sm.status_id = s.id AND sm.account_id = \(bind: me)))))))
        """
    }

    /// Neither the account in `column` nor the viewer blocked the other.
    static func notBlocked(_ column: String, viewer me: Int64) -> SQLQueryString {
        """
        NOT EXISTS (SELECT 1 FROM blocks bl WHERE (bl.account_id = \(bind: me) AND bl.target_id = \(unsafeRaw: column))
          OR (bl.account_id = \(unsafeRaw: column) AND bl.target_id = \(bind: me)))
        """
    }
}
