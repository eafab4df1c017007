import SQLKit

/// The INBOX copies a member missed by joining late: the `announcements.deliver` job mails those who were
/// members when an announcement was published, so the core's account paths hand a new member (and one an
/// admin approves) the live announcements inside the transaction that creates (or approves) the account.
/// Every surface that makes accounts goes through those paths, so each gets it.
struct AnnouncementCatchUp: Sendable {
    let mail: MailService
    let clock: Clock

    /// Delivers each announcement that is live now, and (with `publishedBefore`) was published before then,
    /// once, in the member's language. A member who may not use mail (pending) gets nothing here.
    func deliver(to account: Account, publishedBefore: Int64?, db: any SQLDatabase) async throws {
        let now = clock.nowMilliseconds()
        guard AccountService.mayUseMail(account, now: now) else { return }
        let before: SQLQueryString = publishedBefore.map { "AND created_at < \(bind: $0)" } ?? ""
        let rows = try await db.raw("""
            SELECT id FROM announcements WHERE ended_at IS NULL AND (expires_at IS NULL OR expires_at > \(bind: now)) \(before)
            ORDER BY id LIMIT 50
            """).all()
        let live = try await AnnouncementService.load(ids: try rows.map { try $0.decode(column: "id", as: Int64.self) }, db: db)
        // A new account has no open session to tell, so the mailbox events go nowhere.
        let outbox = EventOutbox()
        for announcement in live {
            let language = announcement.text(for: account.language).language
            let author = try await AccountService.find(id: announcement.authorID, db: db)
            let raw = AnnouncementService.mailMessage(announcement, language: language, author: author, domain: mail.domain, now: now)
            _ = try await mail.deliver(raw, to: [account.id], sentBy: nil, db: db, outbox: outbox)
        }
    }
}
