import Foundation
import Logging
import SQLKit
import StarconMIME

/// The slow part of an announcement, run by the `announcements.deliver` job on one node at a time: an
/// article in the read-only `starcon.announcements` group for newsreaders, a copy in every member's INBOX
/// for mail clients (in batches, each batch one transaction that also moves the cursor, so a node killed
/// mid-way delivers each member exactly once), and the `announcement.delete` event when one expires.
extension AnnouncementService {
    /// Members whose INBOX gets a copy per transaction.
    static let mailBatch = 200
    /// Batches per job run, so one run stays short and other jobs get their turn.
    static let batchesPerRun = 10

    /// Does whatever announcements still need; returns true while work remains (the job runs again soon anyway).
    @discardableResult
    public func deliverPending(logger: Logger = Logger(label: "starcon.announcements")) async throws -> Bool {
        try await endExpired()
        for announcement in try await pending(column: "article_id IS NULL") {
            try await postArticle(announcement, logger: logger)
        }
        var batches = 0
        for announcement in try await pending(column: "mail_done = 0") {
            while batches < Self.batchesPerRun {
                batches += 1
                if try await mailBatch(announcement) { break }
            }
        }
        return batches >= Self.batchesPerRun
    }

    private func pending(column: String) async throws -> [Announcement] {
        try await database.read { db in
            let rows = try await db.raw("SELECT id FROM announcements WHERE \(unsafeRaw: column) ORDER BY id LIMIT 20").all()
            return try await Self.load(ids: try rows.map { try $0.decode(column: "id", as: Int64.self) }, db: db)
        }
    }

    /// Expired announcements are ended like ones an admin ends, so open pages and apps drop them.
    private func endExpired() async throws {
        let now = clock.nowMilliseconds()
        try await log.write { db, outbox in
            let rows = try await db.raw("""
                UPDATE announcements SET ended_at = expires_at WHERE ended_at IS NULL AND expires_at <= \(bind: now) RETURNING id
                """).all()
            for row in rows {
                outbox.add(Event(audience: .everyone, payload: .announcement(id: try row.decode(column: "id", as: Int64.self), ended: true)))
            }
        }
    }

    /// Posts the article (its message-id is the announcement's, so a run repeated after a crash finds the one
    /// it posted instead of posting twice). An author who may no longer post leaves the article out (0).
    private func postArticle(_ announcement: Announcement, logger: Logger) async throws {
        let messageID = "<announcement-\(announcement.id)@\(mail.domain)>"
        var articleID: Int64 = 0
        if let existing = try await news.article(messageID: messageID) {
            articleID = existing.id
        } else {
            if try await news.group(named: Self.newsgroup) == nil {
                do {
                    _ = try await news.createGroup(actor: nil, name: Self.newsgroup, description: "Announcements", posting: .readonly)
                } catch let error as CoreError where error.kind == .conflict {}
            }
            let author = try await database.read { db in try await AccountService.find(id: announcement.authorID, db: db) }
            do {
                guard let author else { throw CoreError.notFound }
                let draft = ArticleDraft(newsgroups: [Self.newsgroup], subject: Self.subject(announcement.text(for: nil).text),
                                         body: Self.articleBody(announcement), messageID: messageID)
                articleID = try await news.post(author: author, draft).article.id
            } catch let error as CoreError {
                logger.warning("announcement article not posted", metadata: ["announcement": "\(announcement.id)", "reason": "\(error.key)"])
            }
        }
        let posted = articleID
        try await database.write { db in
            try await db.raw("UPDATE announcements SET article_id = \(bind: posted) WHERE id = \(bind: announcement.id)").run()
        }
    }

    /// Delivers to the next batch of members (those who joined before it was published), each in their own
    /// language; returns true once every member has it.
    private func mailBatch(_ announcement: Announcement) async throws -> Bool {
        let domain = mail.domain, mail = self.mail, now = clock.nowMilliseconds()
        return try await log.write { db, outbox in
            guard let row = try await db.raw("SELECT mail_cursor, mail_done FROM announcements WHERE id = \(bind: announcement.id)").first(),
                  try row.decode(column: "mail_done", as: Int64.self) == 0 else { return true }
            let cursor = try row.decode(column: "mail_cursor", as: Int64.self)
            let members = try await db.raw("""
                SELECT id, language FROM accounts WHERE id > \(bind: cursor) AND created_at <= \(bind: announcement.createdAt)
                ORDER BY id LIMIT \(bind: Self.mailBatch)
                """).all().map { (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "language", as: String?.self)) }
            var byLanguage: [String: [Int64]] = [:]
            for (id, language) in members { byLanguage[announcement.text(for: language).language, default: []].append(id) }
            let author = try await AccountService.find(id: announcement.authorID, db: db)
            for (language, recipients) in byLanguage.sorted(by: { $0.key < $1.key }) {
                let raw = Self.mailMessage(announcement, language: language, author: author, domain: domain, now: now)
                _ = try await mail.deliver(raw, to: recipients, sentBy: nil, db: db, outbox: outbox)
            }
            let done = members.count < Self.mailBatch
            try await db.raw("""
                UPDATE announcements SET mail_cursor = \(bind: members.last?.0 ?? cursor), mail_done = \(bind: done ? 1 : 0)
                WHERE id = \(bind: announcement.id)
                """).run()
            return done
        }
    }

    static func subject(_ text: String) -> String {
        let line = text.split(separator: "\n").first.map(String.init) ?? text
        return line.count > 80 ? String(line.prefix(79)) + "…" : line
    }

    /// Every language's text, each under its code, the reader's newsreader choosing none.
    static func articleBody(_ announcement: Announcement) -> String {
        AnnouncementRules.languages.compactMap { code in announcement.texts[code].map { "[\(code)]\n\($0)" } }.joined(separator: "\n\n")
    }

    static func mailMessage(_ announcement: Announcement, language: String, author: Account?, domain: String, now: Int64) -> [UInt8] {
        let text = announcement.text(for: language).text
        let from = author.map {
            MIMEAddress(displayName: $0.displayName.isEmpty ? nil : $0.displayName, localPart: $0.username, domain: domain).formatted
        } ?? "postmaster@\(domain)"
        let lines = [
            MIMEHeaderWriter.structured("From", from),
            MIMEHeaderWriter.structured("To", "undisclosed-recipients:;"),
            MIMEHeaderWriter.unstructured("Subject", subject(text)),
            MIMEHeaderWriter.structured("Date", MailDate.format(now)),
            MIMEHeaderWriter.structured("Message-ID", "<announcement-\(announcement.id).\(language)@\(domain)>"),
            MIMEHeaderWriter.structured("Content-Language", language),
            MIMEHeaderWriter.structured("X-Starcon-Announcement", "\(announcement.id); severity=\(announcement.severity.rawValue)"),
            MIMEHeaderWriter.structured("Auto-Submitted", "auto-generated"),
            MIMEHeaderWriter.structured("MIME-Version", "1.0"),
            MIMEHeaderWriter.structured("Content-Type", "text/plain; charset=utf-8"),
            // Quoted-printable keeps every line under 1,000 octets whatever the script.
            MIMEHeaderWriter.structured("Content-Transfer-Encoding", "quoted-printable"),
        ].joined()
        let body = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n") + "\r\n"
        return Array((lines + "\r\n").utf8) + QuotedPrintable.encode(Array(body.utf8))
    }
}
