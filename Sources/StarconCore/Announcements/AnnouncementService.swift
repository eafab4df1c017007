import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// Announcements: publishing and ending them (admins), what each reader is shown in their language, and
/// dismissals. Every surface (web pages, the Mastodon API and streams, the messenger) asks here; the
/// newsgroup article and the INBOX copies are made by `deliverPending` (a job), never in the request.
///
/// The live list is cached per process (pages ask on every request) and dropped when this node's event log
/// delivers an `announcement` event, which every node does, also for one published by a CLI command beside
/// it; the cache also lapses after `cacheLifetime`, so a node that misses an event is wrong only briefly.
public final class AnnouncementService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    let log: EventLog
    let audit: AuditLog
    let news: NewsService
    let mail: MailService
    private let cache = NIOLockedValueBox<(loadedAt: Int64, live: [Announcement])?>(nil)
    private let sink = NIOLockedValueBox<EventSink?>(nil)
    static let cacheLifetime: Int64 = 10_000
    /// The read-only group that carries announcements for newsreaders.
    public static let newsgroup = "starcon.announcements"

    init(database: any Database, ids: IDGenerator, clock: Clock, log: EventLog, audit: AuditLog, news: NewsService, mail: MailService) {
        self.database = database
        self.ids = ids
        self.clock = clock
        self.log = log
        self.audit = audit
        self.news = news
        self.mail = mail
        let subscription = log.bus.sink(accountID: nil, deliver: { [weak self] event in
            if case .announcement = event.payload { self?.invalidate() }
            return true
        }, overflowed: {})
        sink.withLockedValue { $0 = subscription }
    }

    deinit { sink.withLockedValue { $0?.cancel() } }

    func invalidate() { cache.withLockedValue { $0 = nil } }

    // MARK: Publishing

    /// Publishes an announcement from `actor` (an admin). `texts`: by language code; `expiresInHours` nil
    /// means until an admin ends it.
    public func create(actor: Account, texts: [String: String], severity: AnnouncementSeverity,
                       expiresInHours: Int? = nil) async throws -> Announcement {
        guard Permissions.instance(actor).announce else { throw CoreError.forbidden }
        try AccountService.ensureMayAct(actor, now: clock.nowMilliseconds())
        let texts = try AnnouncementRules.validate(texts: texts, expiresInHours: expiresInHours)
        let id = ids.next(), now = clock.nowMilliseconds()
        let expiresAt = expiresInHours.map { now + Int64($0) * 3_600_000 }
        let announcement = Announcement(id: id, authorID: actor.id, severity: severity, createdAt: now, expiresAt: expiresAt,
                                        endedAt: nil, texts: texts)
        try await log.write { [audit] db, outbox in
            try await db.raw("""
                INSERT INTO announcements (id, author_id, severity, created_at, expires_at)
                VALUES (\(bind: id), \(bind: actor.id), \(bind: severity.rawValue), \(bind: now), \(bind: expiresAt))
                """).run()
            for (language, text) in texts {
                try await db.raw("""
                    INSERT INTO announcement_texts (announcement_id, language, text) VALUES (\(bind: id), \(bind: language), \(bind: text))
                    """).run()
            }
            try await audit.record(actor: actor.id, action: "announcement.create", target: String(id), detail: severity.rawValue, db: db)
            outbox.add(Event(audience: .everyone, payload: .announcement(id: id, ended: false)))
        }
        invalidate()
        return announcement
    }

    /// Ends a live announcement now (an admin): it disappears from every page, app and stream.
    public func end(actor: Account, id: Int64) async throws {
        guard Permissions.instance(actor).announce else { throw CoreError.forbidden }
        let now = clock.nowMilliseconds()
        try await log.write { [audit] db, outbox in
            guard let announcement = try await Self.load(ids: [id], db: db).first, announcement.isLive(at: now) else { throw CoreError.notFound }
            try await db.raw("UPDATE announcements SET ended_at = \(bind: now) WHERE id = \(bind: id)").run()
            try await audit.record(actor: actor.id, action: "announcement.end", target: String(id), db: db)
            outbox.add(Event(audience: .everyone, payload: .announcement(id: id, ended: true)))
        }
        invalidate()
    }

    // MARK: Reading

    /// The live announcements, newest first.
    public func live() async throws -> [Announcement] {
        let now = clock.nowMilliseconds()
        if let cached = cache.withLockedValue({ $0 }), now - cached.loadedAt < Self.cacheLifetime {
            return cached.live.filter { $0.isLive(at: now) }
        }
        let loaded = try await database.read { db in
            let rows = try await db.raw("""
                SELECT id FROM announcements WHERE ended_at IS NULL AND (expires_at IS NULL OR expires_at > \(bind: now))
                ORDER BY id DESC LIMIT 20
                """).all()
            return try await Self.load(ids: try rows.map { try $0.decode(column: "id", as: Int64.self) }, db: db)
        }
        cache.withLockedValue { $0 = (now, loaded) }
        return loaded
    }

    /// What `viewer` (nil: a signed-out visitor, whose dismissals are `visitorDismissed`, kept by their browser)
    /// is shown, in `language`, with their dismissals marked.
    /// `includeDismissed`: the Mastodon API lists dismissed ones as `read`; pages leave them out.
    public func views(for viewer: Account?, language: String?, includeDismissed: Bool = false,
                      visitorDismissed: Set<Int64> = []) async throws -> [AnnouncementView] {
        let live = try await live()
        guard !live.isEmpty else { return [] }
        var dismissed = viewer == nil ? visitorDismissed : []
        if let viewer {
            dismissed = try await database.read { db in
                let rows = try await db.raw("""
                    SELECT announcement_id FROM announcement_dismissals WHERE account_id = \(bind: viewer.id)
                    AND announcement_id IN (\(SQLList(live.map { SQLBind($0.id) })))
                    """).all()
                return Set(try rows.map { try $0.decode(column: "announcement_id", as: Int64.self) })
            }
        }
        return live.compactMap { announcement in
            let isDismissed = dismissed.contains(announcement.id)
            if isDismissed && !includeDismissed { return nil }
            return view(announcement, language: language, dismissed: isDismissed)
        }
    }

    /// One announcement as `viewer` sees it, if it is live (for a stream telling of a new one).
    public func view(id: Int64, for viewer: Account?, language: String?, visitorDismissed: Set<Int64> = []) async throws -> AnnouncementView? {
        guard let announcement = try await live().first(where: { $0.id == id }) else { return nil }
        var dismissed = viewer == nil && visitorDismissed.contains(id)
        if let viewer {
            dismissed = try await database.read { db in
                try await db.raw("""
                    SELECT 1 AS one FROM announcement_dismissals WHERE account_id = \(bind: viewer.id) AND announcement_id = \(bind: id)
                    """).first() != nil
            }
        }
        return view(announcement, language: language, dismissed: dismissed)
    }

    private func view(_ announcement: Announcement, language: String?, dismissed: Bool) -> AnnouncementView {
        let chosen = announcement.text(for: language)
        return AnnouncementView(announcement: announcement, language: chosen.language, text: chosen.text, dismissed: dismissed,
                                mayDismiss: !dismissed)
    }

    /// Every announcement, newest first, for the admin page (`actor` must be allowed to announce).
    public func all(actor: Account, limit: Int = 100) async throws -> [Announcement] {
        guard Permissions.instance(actor).announce else { throw CoreError.forbidden }
        return try await database.read { db in
            let rows = try await db.raw("SELECT id FROM announcements ORDER BY id DESC LIMIT \(bind: limit)").all()
            return try await Self.load(ids: try rows.map { try $0.decode(column: "id", as: Int64.self) }, db: db)
        }
    }

    /// Marks a live announcement as read by `viewer`, so pages stop showing it to them (idempotent).
    public func dismiss(_ id: Int64, by viewer: Account) async throws {
        let now = clock.nowMilliseconds()
        guard try await live().contains(where: { $0.id == id }) else { throw CoreError.notFound }
        try await database.write { db in
            try await db.raw("""
                INSERT INTO announcement_dismissals (announcement_id, account_id, dismissed_at) VALUES (\(bind: id), \(bind: viewer.id), \(bind: now))
                ON CONFLICT DO NOTHING
                """).run()
        }
    }

    /// A visitor's dismissals travel in their browser as plain ids ("12.34", a cookie value holds no comma); anything else in the text is
    /// ignored, and at most `visitorLimit` are read, so a forged value costs nothing and hides only text.
    public static let visitorLimit = 20

    public static func visitorDismissals(_ text: String?) -> Set<Int64> {
        guard let text, text.utf8.count <= 20 * visitorLimit + visitorLimit else { return [] }
        return Set(text.split(separator: ".", omittingEmptySubsequences: true).prefix(visitorLimit).compactMap { part in
            part.utf8.count <= 19 && part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) ? Int64(part).flatMap { $0 > 0 ? $0 : nil } : nil
        })
    }

    /// A signed-out visitor dismisses a live announcement: the new value for their browser, the live ids among
    /// those already dismissed plus this one (ended ones drop out, so it stays short).
    public func dismissForVisitor(_ id: Int64, already: Set<Int64>) async throws -> String {
        let live = Set(try await live().map(\.id))
        guard live.contains(id) else { throw CoreError.notFound }
        return already.union([id]).intersection(live).sorted().suffix(Self.visitorLimit).map(String.init).joined(separator: ".")
    }

    static func load(ids: [Int64], db: any SQLDatabase) async throws -> [Announcement] {
        guard !ids.isEmpty else { return [] }
        var texts: [Int64: [String: String]] = [:]
        for row in try await db.raw("""
            SELECT announcement_id, language, text FROM announcement_texts WHERE announcement_id IN (\(SQLList(ids.map { SQLBind($0) })))
            """).all() {
            texts[try row.decode(column: "announcement_id", as: Int64.self), default: [:]][try row.decode(column: "language", as: String.self)] =
                try row.decode(column: "text", as: String.self)
        }
        return try await db.raw("""
            SELECT id, author_id, severity, created_at, expires_at, ended_at FROM announcements WHERE id IN (\(SQLList(ids.map { SQLBind($0) })))
            ORDER BY id DESC
            """).all().map { row in
            let id = try row.decode(column: "id", as: Int64.self)
            return Announcement(id: id, authorID: try row.decode(column: "author_id", as: Int64.self),
                                severity: AnnouncementSeverity(rawValue: try row.decode(column: "severity", as: String.self)) ?? .info,
                                createdAt: try row.decode(column: "created_at", as: Int64.self),
                                expiresAt: try row.decode(column: "expires_at", as: Int64?.self),
                                endedAt: try row.decode(column: "ended_at", as: Int64?.self), texts: texts[id] ?? [:])
        }
    }
}

extension AnnouncementService {
    /// Who a command-line announcement is from: the named member, else the longest-standing active admin.
    public func author(named username: String?) async throws -> Account {
        let found: Account? = try await database.read { db in
            if let username { return try await AccountService.find(username: username, db: db) }
            guard let row = try await db.raw("""
                SELECT id FROM accounts WHERE role = 'admin' AND status = 'active' ORDER BY id LIMIT 1
                """).first() else { return nil }
            return try await AccountService.find(id: try row.decode(column: "id", as: Int64.self), db: db)
        }
        guard let found else { throw CoreError(.notFound, "announcement_no_author") }
        return found
    }
}
