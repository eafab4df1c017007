import SQLKit

/// Reports and the moderators' decisions on them. A member may report only what they can see; only staff
/// read and resolve reports (`Permissions.report`), and every decision is written to the audit log and told
/// to the reporter as a notification.
public struct ReportService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    let log: EventLog
    let audit: AuditLog
    let accounts: AccountService
    let feed: FeedService
    let messenger: MessengerService
    let news: NewsService
    let mail: MailService
    let sites: SiteService

    public static let commentMaxLength = 1000
    static let excerptMaxLength = 2000

    public struct NewReport: Sendable {
        public var kind: ReportTargetKind
        public var targetID: Int64
        /// For an account's report: posts of theirs it names (Mastodon's `status_ids`).
        public var statusIDs: [Int64]
        public var category: ReportCategory
        public var comment: String

        public init(kind: ReportTargetKind, targetID: Int64, statusIDs: [Int64] = [], category: ReportCategory, comment: String) {
            self.kind = kind
            self.targetID = targetID
            self.statusIDs = statusIDs
            self.category = category
            self.comment = comment
        }
    }

    /// Files a report of something the reporter can see and that is not theirs. Reporting the same thing
    /// again while the first report is open returns the first.
    public func file(reporter: Account, _ new: NewReport) async throws -> Report {
        let now = clock.nowMilliseconds()
        guard Permissions.mayReport(reporter, now: now) else { throw CoreError.forbidden }
        let comment = String(AccountRules.stripControls(new.comment, keepNewlines: true).trimmingWhitespace().prefix(Self.commentMaxLength + 1))
        guard comment.count <= Self.commentMaxLength else { throw CoreError.invalid("report_comment_length", field: "comment") }
        let (accountID, excerpt, statusIDs) = try await resolveTarget(new, reporter: reporter)
        if accountID == reporter.id { throw CoreError.invalid("report_self") }
        let id = try await database.write { db -> Int64 in
            if let existing = try await db.raw("""
                SELECT id FROM reports WHERE reporter_id = \(bind: reporter.id) AND target_kind = \(bind: new.kind.rawValue)
                  AND target_id = \(bind: new.targetID) AND state = 'open'
                """).first() {
                return try existing.decode(column: "id", as: Int64.self)
            }
            let id = ids.next()
            try await db.raw("""
                INSERT INTO reports (id, reporter_id, target_kind, target_id, status_ids, account_id, category, comment, excerpt, created_at)
                VALUES (\(bind: id), \(bind: reporter.id), \(bind: new.kind.rawValue), \(bind: new.targetID),
                    \(bind: statusIDs.map(String.init).joined(separator: ",")), \(bind: accountID), \(bind: new.category.rawValue),
                    \(bind: comment), \(bind: String(excerpt.prefix(Self.excerptMaxLength))), \(bind: now))
                """).run()
            try await audit.record(actor: reporter.id, action: "report.create", target: "\(new.kind.rawValue) \(new.targetID)",
                                   detail: new.category.rawValue, db: db)
            return id
        }
        return try await database.read { db in try await Self.load(id, db: db)! }
    }

    /// What a report of this thing would be about, for the confirm page: the member and what the reporter
    /// sees. The same rules as `file`: not found unless they can see it, invalid for their own.
    public func preview(reporter: Account, kind: ReportTargetKind, targetID: Int64) async throws -> (account: Account?, excerpt: String) {
        guard Permissions.mayReport(reporter, now: clock.nowMilliseconds()) else { throw CoreError.forbidden }
        let (accountID, excerpt, _) = try await resolveTarget(NewReport(kind: kind, targetID: targetID, category: .other, comment: ""), reporter: reporter)
        if accountID == reporter.id { throw CoreError.invalid("report_self") }
        let account = accountID == nil ? nil : try await accounts.find(id: accountID!)
        return (account, String(excerpt.prefix(500)))
    }

    /// Whom a report is about, what the reporter saw, and the posts it names; not found unless the reporter
    /// can see it (the same answer as for something that does not exist).
    private func resolveTarget(_ new: NewReport, reporter: Account) async throws -> (Int64?, String, [Int64]) {
        switch new.kind {
        case .status:
            guard let view = try await feed.view(id: new.targetID, viewer: reporter) else { throw CoreError.notFound }
            return (view.status.author.id, Self.excerpt(view.status), [view.status.id])
        case .account:
            guard let target = try await accounts.find(id: new.targetID), target.status == .active || target.status == .suspended else {
                throw CoreError.notFound
            }
            var excerpts: [String] = []
            for statusID in Set(new.statusIDs).sorted().prefix(20) {
                guard let view = try await feed.view(id: statusID, viewer: reporter), view.status.author.id == target.id else {
                    throw CoreError.invalid("report_status_not_theirs", field: "status_ids")
                }
                excerpts.append(Self.excerpt(view.status))
            }
            return (target.id, excerpts.joined(separator: "\n\n"), Array(Set(new.statusIDs).sorted().prefix(20)))
        case .message:
            let message = try await messenger.message(id: new.targetID, viewer: reporter)
            return (message.sender.id, message.text, [])
        case .article:
            guard let article = try await news.article(id: new.targetID), article.status == .published else { throw CoreError.notFound }
            return (article.authorID, article.subject + "\n\n" + article.body, [])
        case .sitePage:
            guard let page = try await sites.reportable(pageID: new.targetID) else { throw CoreError.notFound }
            return (page.owner.id, page.excerpt, [])
        case .mail:
            let row = try await database.read { db in
                try await db.raw("""
                    SELECT m.from_text, m.subject FROM mail_messages m
                    WHERE m.id = \(bind: new.targetID) AND EXISTS (SELECT 1 FROM mail_entries e JOIN mailboxes b ON b.id = e.mailbox_id
                        WHERE e.message_id = m.id AND b.account_id = \(bind: reporter.id))
                    """).first()
            }
            guard let row else { throw CoreError.notFound }
            let from = try row.decode(column: "from_text", as: String.self), subject = try row.decode(column: "subject", as: String.self)
            let sender = try await localSender(from)
            return (sender?.id, "From: \(from)\nSubject: \(subject)", [])
        }
    }

    /// The member of this instance a From text names (`Name <kim@domain>`), if any.
    private func localSender(_ from: String) async throws -> Account? {
        var address = Substring(from)
        if let open = address.lastIndex(of: "<"), let close = address[open...].firstIndex(of: ">") {
            address = address[address.index(after: open)..<close]
        }
        let parts = address.trimmingCharacters(in: .whitespaces).lowercased().split(separator: "@")
        guard parts.count == 2, String(parts[1]) == mail.domain else { return nil }
        return try await accounts.find(username: String(parts[0]))
    }

    static func excerpt(_ status: Status) -> String {
        status.spoilerText.isEmpty ? status.text : status.spoilerText + "\n" + status.text
    }

    // MARK: The queue

    /// Reports in one state, newest first, keyset-paged; staff only.
    public func list(actor: Account, state: ReportState, before: Int64? = nil, limit: Int = 50) async throws -> [ReportView] {
        guard actor.isModerator else { throw CoreError.forbidden }
        let reports = try await database.read { db in
            try await db.raw("""
                SELECT id FROM reports WHERE state = \(bind: state.rawValue) AND id < \(bind: before ?? Int64.max) ORDER BY id DESC LIMIT \(bind: limit)
                """).all().map { try $0.decode(column: "id", as: Int64.self) }
        }
        var views: [ReportView] = []
        for id in reports {
            if let report = try await database.read({ db in try await Self.load(id, db: db) }) {
                views.append(ReportView(report: report, permissions: Permissions.report(report, viewer: actor)))
            }
        }
        return views
    }

    public func count(actor: Account, state: ReportState) async throws -> Int {
        guard actor.isModerator else { throw CoreError.forbidden }
        return try await database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM reports WHERE state = \(bind: state.rawValue)").first()!.decode(column: "n", as: Int.self)
        }
    }

    /// One report: staff see any, a reporter their own (the Mastodon API answers with it).
    public func get(_ id: Int64, viewer: Account) async throws -> ReportView {
        guard let report = try await database.read({ db in try await Self.load(id, db: db) }),
              viewer.isModerator || report.reporter.id == viewer.id else { throw CoreError.notFound }
        return ReportView(report: report, permissions: Permissions.report(report, viewer: viewer))
    }

    // MARK: Deciding

    /// Resolves an open report with `outcome`. `note`: the moderator's words (the warning's text, the
    /// suspension's reason); `days`: a suspension's length. The content or account action happens first,
    /// then the report closes with a notification to the reporter, so a crash in between leaves the report
    /// open and deciding again does no harm (what is deleted stays deleted).
    @discardableResult
    public func resolve(actor: Account, reportID: Int64, outcome: ReportOutcome, note: String = "", days: Int? = nil) async throws -> Report {
        let view = try await get(reportID, viewer: actor)
        let report = view.report
        guard actor.isModerator else { throw CoreError.notFound }
        guard report.state == .open else { throw CoreError.invalid("report_closed") }
        guard view.permissions.allows(outcome) else { throw CoreError.forbidden }
        let note = String(AccountRules.stripControls(note, keepNewlines: true).trimmingWhitespace().prefix(Self.commentMaxLength))
        let reason = note.isEmpty ? "report: \(report.category.rawValue)" : note
        if outcome == .warn && note.isEmpty { throw CoreError.invalid("report_note_required", field: "note") }
        switch outcome {
        case .dismiss, .warn, .limit:
            break
        case .delete:
            try await deleteContent(of: report, actor: actor)
        case .suspend:
            guard let days else { throw CoreError.invalid("moderation_days", field: "days") }
            _ = try await accounts.suspend(actor: actor, target: report.account!.id, reason: reason, days: days)
        case .ban:
            _ = try await accounts.setSuspended(actor: actor, target: report.account!.id, suspended: true, reason: reason)
        }
        let now = clock.nowMilliseconds()
        try await log.write { db, outbox in
            let closed = try await db.raw("""
                UPDATE reports SET state = 'resolved', outcome = \(bind: outcome.rawValue), note = \(bind: note), resolved_by = \(bind: actor.id),
                    resolved_at = \(bind: now) WHERE id = \(bind: report.id) AND state = 'open' RETURNING id
                """).first() != nil
            // Another moderator decided first: theirs stands, and the reporter is told once.
            guard closed else { throw CoreError.invalid("report_closed") }
            if outcome == .warn, let member = report.account {
                try await db.raw("""
                    INSERT INTO account_warnings (id, account_id, report_id, text, created_at)
                    VALUES (\(bind: ids.next()), \(bind: member.id), \(bind: report.id), \(bind: note), \(bind: now))
                    """).run()
                try await audit.record(actor: actor.id, action: "account.warn", target: member.username, detail: note, db: db)
            }
            if outcome == .limit, let member = report.account {
                try await accounts.setLimited(true, target: member, actor: actor, db: db)
            }
            let notificationID = ids.next()
            try await db.raw("""
                INSERT INTO notifications (id, account_id, type, from_account_id, report_id, created_at)
                VALUES (\(bind: notificationID), \(bind: report.reporter.id), \(bind: Notification.Kind.reportResolved.rawValue),
                    \(bind: report.reporter.id), \(bind: report.id), \(bind: now))
                """).run()
            outbox.add(Event(to: [report.reporter.id], .feed(.notification(id: notificationID))))
            try await audit.record(actor: actor.id, action: "report.resolve", target: "report \(report.id)",
                                   detail: [outcome.rawValue, days.map { "\($0) days" } ?? "", note].filter { !$0.isEmpty }.joined(separator: ": "), db: db)
        }
        return try await get(reportID, viewer: actor).report
    }

    private func deleteContent(of report: Report, actor: Account) async throws {
        switch report.targetKind {
        case .status, .account:
            for id in report.statusIDs {
                do { try await feed.delete(actor: actor, id: id) } catch let error as CoreError where error.kind == .notFound {}
            }
        case .message:
            try await messenger.removeReported(messageID: report.targetID)
        case .article:
            do { try await news.cancel(actor: actor, articleID: report.targetID) } catch let error as CoreError where error.kind == .notFound {}
        case .sitePage:
            try await sites.takeDown(pageID: report.targetID, by: actor)
        case .mail:
            throw CoreError.forbidden
        }
        try await database.write { db in
            try await audit.record(actor: actor.id, action: "report.delete_content", target: "\(report.targetKind.rawValue) \(report.targetID)",
                                   detail: report.statusIDs.map(String.init).joined(separator: ","), db: db)
        }
    }

    static func load(_ id: Int64, db: any SQLDatabase) async throws -> Report? {
        guard let row = try await db.raw("""
            SELECT id, reporter_id, target_kind, target_id, status_ids, account_id, category, comment, excerpt, state, outcome, note,
                resolved_by, resolved_at, created_at FROM reports WHERE id = \(bind: id)
            """).first() else { return nil }
        let reporterID = try row.decode(column: "reporter_id", as: Int64.self)
        let accountID = try row.decode(column: "account_id", as: Int64?.self)
        let people = try await AccountService.find(ids: [reporterID] + [accountID].compactMap { $0 }, db: db)
        guard let reporter = people.first(where: { $0.id == reporterID }) else { return nil }
        return Report(
            id: id, reporter: reporter,
            targetKind: ReportTargetKind(rawValue: try row.decode(column: "target_kind", as: String.self)) ?? .account,
            targetID: try row.decode(column: "target_id", as: Int64.self),
            statusIDs: try row.decode(column: "status_ids", as: String.self).split(separator: ",").compactMap { Int64($0) },
            account: people.first { $0.id == accountID },
            category: ReportCategory(rawValue: try row.decode(column: "category", as: String.self)) ?? .other,
            comment: try row.decode(column: "comment", as: String.self),
            excerpt: try row.decode(column: "excerpt", as: String.self),
            state: ReportState(rawValue: try row.decode(column: "state", as: String.self)) ?? .open,
            outcome: try row.decode(column: "outcome", as: String?.self).flatMap(ReportOutcome.init(rawValue:)),
            note: try row.decode(column: "note", as: String.self),
            resolvedBy: try row.decode(column: "resolved_by", as: Int64?.self),
            resolvedAt: try row.decode(column: "resolved_at", as: Int64?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }
}
