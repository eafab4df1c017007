import SQLKit

/// Sites, their owners and editors, and the directory. Pages and their translations are in `SiteService+Pages`.
public struct SiteService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    let feed: FeedService
    let settings: Settings
    let media: MediaService
    let audit: AuditLog

    init(database: any Database, ids: IDGenerator, clock: Clock, feed: FeedService, settings: Settings, media: MediaService, audit: AuditLog) {
        self.database = database
        self.ids = ids
        self.clock = clock
        self.feed = feed
        self.settings = settings
        self.media = media
        self.audit = audit
    }

    /// Whether `site` is online now (its owner's state, `Permissions.keepsPublishing`).
    public func isOnline(_ site: Site) -> Bool { site.isOnline(now: clock.nowMilliseconds()) }

    /// Grants a site named `name` to `owner` (an admin's act, or the operator's with `actor` nil).
    public func create(actor: Account?, name: String, owner: Account, title: String? = nil) async throws -> Site {
        try SiteRules.ensureMayGrant(actor, now: clock.nowMilliseconds())
        let name = try SiteRules.validateName(name)
        try SiteRules.ensureMayOwn(owner)
        let title = (title ?? owner.displayName).trimmingWhitespace()
        guard title.count <= SiteRules.maxTitle else { throw CoreError.invalid("site_title", field: "title") }
        let id = ids.next(), now = clock.nowMilliseconds()
        try await database.write { db in
            guard try await db.raw("SELECT 1 AS x FROM sites WHERE name = \(bind: name)").first() == nil else {
                throw CoreError(.conflict, "site_name_taken", field: "name")
            }
            try await db.raw("""
                INSERT INTO sites (id, name, account_id, title, created_at) VALUES (\(bind: id), \(bind: name), \(bind: owner.id), \(bind: title), \(bind: now))
                """).run()
        }
        guard let site = try await site(named: name) else { throw CoreError.notFound }
        return site
    }

    public func site(named name: String) async throws -> Site? {
        try await database.read { db in try await Self.load(db: db, where: "s.name = ", bind: name.lowercased()).first }
    }

    public func site(id: Int64) async throws -> Site? {
        try await database.read { db in try await Self.load(db: db, where: "s.id = ", bind: id).first }
    }

    /// The sites `account` owns or edits.
    public func sites(of account: Account) async throws -> [Site] {
        try await database.read { db in
            let rows = try await db.raw("""
                SELECT s.id AS s_id, s.name AS s_name, s.title AS s_title, s.created_at AS s_created_at, \(unsafeRaw: AccountRow.joinedColumns)
                FROM sites s JOIN accounts a ON a.id = s.account_id
                WHERE s.account_id = \(bind: account.id) OR s.id IN (SELECT site_id FROM site_editors WHERE account_id = \(bind: account.id))
                ORDER BY s.name
                """).all()
            return try rows.map(Self.decode)
        }
    }

    /// Every online site, with the languages it has published pages in, narrowed by owner kind and language.
    public func directory(kind: AccountKind? = nil, language: String? = nil, limit: Int = 200) async throws -> [(site: Site, languages: [String])] {
        try await database.read { db in
            let rows = try await db.raw("""
                SELECT s.id AS s_id, s.name AS s_name, s.title AS s_title, s.created_at AS s_created_at, \(unsafeRaw: AccountRow.joinedColumns)
                FROM sites s JOIN accounts a ON a.id = s.account_id
                WHERE \(SiteRules.ownerOnline(now: clock.nowMilliseconds())) ORDER BY s.name LIMIT \(bind: limit)
                """).all()
            let sites = try rows.map(Self.decode).filter { kind == nil || $0.owner.kind == kind }
            guard !sites.isEmpty else { return [] }
            var languages: [Int64: Set<String>] = [:]
            for row in try await db.raw("""
                SELECT DISTINCT p.site_id AS site_id, t.language AS language FROM site_pages p JOIN site_translations t ON t.page_id = p.id
                WHERE t.published_body IS NOT NULL AND p.site_id IN (\(FeedService.list(sites.map(\.id))))
                """).all() {
                languages[try row.decode(column: "site_id", as: Int64.self), default: []].insert(try row.decode(column: "language", as: String.self))
            }
            return sites.compactMap { site in
                let have = Site.languages.filter { languages[site.id]?.contains($0) == true }
                if let language, !have.contains(language) { return nil }
                return (site, have)
            }
        }
    }

    // MARK: Editors

    public func editors(of site: Site) async throws -> [Account] {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: AccountRow.joinedColumns) FROM site_editors e JOIN accounts a ON a.id = e.account_id
                WHERE e.site_id = \(bind: site.id) ORDER BY a.username
                """).all().map(AccountRow.decode)
        }
    }

    /// What `viewer` may do with `site`.
    public func permissions(_ site: Site, viewer: Account?) async throws -> SitePermissions {
        guard let viewer else { return .none }
        let isEditor = try await database.read { db in
            try await db.raw("SELECT 1 AS x FROM site_editors WHERE site_id = \(bind: site.id) AND account_id = \(bind: viewer.id)").first() != nil
        }
        return SiteRules.permissions(site, viewer: viewer, isEditor: isEditor, now: clock.nowMilliseconds())
    }

    /// `actor` nil is the operator at the command line.
    public func addEditor(actor: Account?, site: Site, editor: Account) async throws {
        try await ensureMayManageEditors(actor, site)
        guard AccountService.mayAct(editor, now: clock.nowMilliseconds()), editor.kind != .visitor else {
            throw CoreError.invalid("site_editor_inactive", field: "account")
        }
        guard editor.id != site.owner.id else { return }
        let now = clock.nowMilliseconds()
        try await database.write { db in
            let count = try await db.raw("SELECT COUNT(*) AS n FROM site_editors WHERE site_id = \(bind: site.id)").first()?.decode(column: "n", as: Int.self) ?? 0
            guard count < SiteRules.maxEditors else { throw CoreError.invalid("site_editor_limit", field: "account") }
            guard try await db.raw("SELECT 1 AS x FROM site_editors WHERE site_id = \(bind: site.id) AND account_id = \(bind: editor.id)").first() == nil else { return }
            try await db.raw("INSERT INTO site_editors (site_id, account_id, added_at) VALUES (\(bind: site.id), \(bind: editor.id), \(bind: now))").run()
        }
    }

    public func removeEditor(actor: Account?, site: Site, editor: Account) async throws {
        try await ensureMayManageEditors(actor, site)
        try await database.write { db in
            try await db.raw("DELETE FROM site_editors WHERE site_id = \(bind: site.id) AND account_id = \(bind: editor.id)").run()
        }
    }

    private func ensureMayManageEditors(_ actor: Account?, _ site: Site) async throws {
        guard let actor else { return }
        guard try await permissions(site, viewer: actor).manageEditors else { throw CoreError.forbidden }
    }

    func ensure(_ actor: Account, may keyPath: KeyPath<SitePermissions, Bool>, _ site: Site) async throws {
        try AccountService.ensureMayAct(actor, now: clock.nowMilliseconds())
        guard site.isOnline(now: clock.nowMilliseconds()) else { throw CoreError(.forbidden, "site_offline") }
        guard try await permissions(site, viewer: actor)[keyPath: keyPath] else { throw CoreError.forbidden }
    }

    // MARK: Rows

    static func load(db: any SQLDatabase, where condition: String, bind value: some Encodable & Sendable) async throws -> [Site] {
        try await db.raw("""
            SELECT s.id AS s_id, s.name AS s_name, s.title AS s_title, s.created_at AS s_created_at, \(unsafeRaw: AccountRow.joinedColumns)
            FROM sites s JOIN accounts a ON a.id = s.account_id WHERE \(unsafeRaw: condition)\(bind: value)
            """).all().map(decode)
    }

    static func decode(_ row: any SQLRow) throws -> Site {
        Site(id: try row.decode(column: "s_id", as: Int64.self), name: try row.decode(column: "s_name", as: String.self),
             title: try row.decode(column: "s_title", as: String.self), owner: try AccountRow.decode(row),
             createdAt: try row.decode(column: "s_created_at", as: Int64.self))
    }
}

extension SiteService {
    /// Every site, online or not, for the admins' page.
    public func all(limit: Int = 500) async throws -> [Site] {
        try await database.read { db in
            try await db.raw("""
                SELECT s.id AS s_id, s.name AS s_name, s.title AS s_title, s.created_at AS s_created_at, \(unsafeRaw: AccountRow.joinedColumns)
                FROM sites s JOIN accounts a ON a.id = s.account_id ORDER BY s.name LIMIT \(bind: limit)
                """).all().map(Self.decode)
        }
    }
}
