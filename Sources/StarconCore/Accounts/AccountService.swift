import Foundation
import SQLKit

/// Members: creating, finding, signing in, profiles, and the admin actions on them.
/// Every rule about who may do what to an account is here, so it holds on every surface.
public struct AccountService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    let hasher: PasswordHasher
    let audit: AuditLog
    /// Where a suspension or a password change is announced, so every open stream and protocol session of
    /// the member ends at once, on every node.
    let log: EventLog
    /// Live announcements' INBOX copies for a member who joins after they were published.
    let announcementMail: AnnouncementCatchUp
    public var throttle = LoginThrottle()

    public struct NewAccount: Sendable {
        public var username: String
        public var displayName: String?
        public var password: String
        public var role: Role = .member
        public var kind: AccountKind = .person
        public var status: AccountStatus = .active
        public var language: String? = nil
        public var emailOnly = false
        public var registrationNote = ""
        public var invitedBy: Int64? = nil

        public init(username: String, displayName: String? = nil, password: String) {
            self.username = username
            self.displayName = displayName
            self.password = password
        }
    }

    /// Validates and hashes outside the transaction, then inserts inside `db`.
    func prepare(_ new: NewAccount) async throws -> (NewAccount, String) {
        try AccountRules.validateUsername(new.username)
        try AccountRules.validatePassword(new.password)
        try AccountRules.validateLanguage(new.language)
        var cleaned = new
        cleaned.displayName = try AccountRules.cleanDisplayName(new.displayName ?? new.username)
        cleaned.registrationNote = String(AccountRules.stripControls(new.registrationNote, keepNewlines: true).prefix(1000))
        return (cleaned, try await hasher.hash(new.password))
    }

    func insert(_ new: NewAccount, passwordHash: String, db: any SQLDatabase) async throws -> Account {
        let key = new.username.lowercased()
        if try await db.raw("SELECT id FROM accounts WHERE username_key = \(bind: key)").first() != nil {
            throw CoreError(.conflict, "username_taken", field: "username")
        }
        let id = ids.next()
        let now = clock.nowMilliseconds()
        try await db.raw("""
            INSERT INTO accounts (id, username, username_key, display_name, bio, kind, role, status, registration_note,
                language, password_hash, email_only, invited_by, created_at)
            VALUES (\(bind: id), \(bind: new.username), \(bind: key), \(bind: new.displayName ?? new.username), '',
                \(bind: new.kind.rawValue), \(bind: new.role.rawValue), \(bind: new.status.rawValue), \(bind: new.registrationNote),
                \(bind: new.language), \(bind: passwordHash), \(bind: new.emailOnly ? 1 : 0), \(bind: new.invitedBy), \(bind: now))
            """).run()
        try await SearchDocuments.account(id: id, username: new.username, displayName: new.displayName ?? new.username, db: db)
        let account = try await Self.find(id: id, db: db)!
        try await announcementMail.deliver(to: account, publishedBefore: account.createdAt, db: db)
        return account
    }

    /// Creates an account directly (the command line, the first-run setup, tests).
    public func create(_ new: NewAccount) async throws -> Account {
        let (cleaned, hash) = try await prepare(new)
        return try await database.write { db in
            let account = try await insert(cleaned, passwordHash: hash, db: db)
            try await audit.record(actor: nil, action: "account.create", target: account.username, detail: account.role.rawValue, db: db)
            return account
        }
    }

    public func find(id: Int64) async throws -> Account? {
        try await database.read { db in try await Self.find(id: id, db: db) }
    }

    public func find(username: String) async throws -> Account? {
        try await database.read { db in try await Self.find(username: username, db: db) }
    }

    static func find(id: Int64, db: any SQLDatabase) async throws -> Account? {
        try await db.raw("SELECT \(unsafeRaw: AccountRow.columns) FROM accounts WHERE id = \(bind: id)").first().map(AccountRow.decode)
    }

    static func find(ids: [Int64], db: any SQLDatabase) async throws -> [Account] {
        guard !ids.isEmpty else { return [] }
        return try await db.raw("SELECT \(unsafeRaw: AccountRow.columns) FROM accounts WHERE id IN (\(SQLList(Set(ids).map { SQLBind($0) })))")
            .all().map(AccountRow.decode)
    }

    static func find(username: String, db: any SQLDatabase) async throws -> Account? {
        try await db.raw("SELECT \(unsafeRaw: AccountRow.columns) FROM accounts WHERE username_key = \(bind: username.lowercased())")
            .first().map(AccountRow.decode)
    }

    /// Accounts newest first, optionally of one status; keyset-paged by id.
    public func list(status: AccountStatus? = nil, before: Int64? = nil, limit: Int = 50) async throws -> [Account] {
        try await database.read { db in
            let filter: SQLQueryString = status.map { "AND status = \(bind: $0.rawValue)" } ?? ""
            return try await db.raw("""
                SELECT \(unsafeRaw: AccountRow.columns) FROM accounts WHERE id < \(bind: before ?? Int64.max) \(filter)
                ORDER BY id DESC LIMIT \(bind: limit)
                """).all().map(AccountRow.decode)
        }
    }

    public func count(status: AccountStatus) async throws -> Int {
        try await database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM accounts WHERE status = \(bind: status.rawValue)").first()!.decode(column: "n", as: Int.self)
        }
    }

    public func adminExists() async throws -> Bool {
        try await database.read { db in try await Self.adminExists(db: db) }
    }

    static func adminExists(db: any SQLDatabase) async throws -> Bool {
        try await db.raw("SELECT id FROM accounts WHERE role = 'admin' AND status = 'active' LIMIT 1").first() != nil
    }

    /// Checks a username and password. Throttled per account and address, per account and per address
    /// (`LoginThrottle`): the attempt is counted before the password is checked, so parallel attempts cannot
    /// pass the limit. The same answer and about the same time for an unknown name as for a wrong password.
    public func authenticate(username: String, password: String, address: String) async throws -> Account {
        let now = clock.nowMilliseconds()
        try await database.write { db in try await throttle.reserve(username: username, address: address, db: db, now: now) }
        let stored = try await storedCredentials(username: username)
        let passwordMatches = try await hasher.verify(password, hash: stored?.passwordHash ?? PasswordHasher.decoyHash)
        // A wrong password leaves its reservation counted as the failure.
        guard let stored, passwordMatches, stored.account.status != .rejected else {
            throw CoreError(.unauthenticated, "login_failed")
        }
        try await database.write { db in try await throttle.release(username: username, address: address, db: db) }
        // A locked account's password is the intruder's too: only the reset link opens it again.
        if stored.resetRequired { throw CoreError(.forbidden, "password_reset_required") }
        try Self.ensureMaySignIn(stored.account, now: now)
        return stored.account
    }

    /// What signing in compares against: the account, its password hash and whether an admin locked it.
    struct StoredCredentials {
        let account: Account
        let passwordHash: String
        let resetRequired: Bool
    }

    func storedCredentials(username: String) async throws -> StoredCredentials? {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: AccountRow.columns), password_hash, password_reset_required FROM accounts
                WHERE username_key = \(bind: username.lowercased())
                """).first().map(Self.decodeCredentials)
        }
    }

    static func storedCredentials(id: Int64, db: any SQLDatabase) async throws -> StoredCredentials? {
        try await db.raw("""
            SELECT \(unsafeRaw: AccountRow.columns), password_hash, password_reset_required FROM accounts WHERE id = \(bind: id)
            """).first().map(decodeCredentials)
    }

    private static func decodeCredentials(_ row: any SQLRow) throws -> StoredCredentials {
        StoredCredentials(account: try AccountRow.decode(row), passwordHash: try row.decode(column: "password_hash", as: String.self),
                          resetRequired: try row.decode(column: "password_reset_required", as: Int.self) != 0)
    }

    /// Checks the member's current password (changing it, turning off TOTP); a wrong one is a form error.
    public func verifyPassword(of account: Account, _ password: String) async throws {
        let hash: String = try await database.read { db in
            try await db.raw("SELECT password_hash FROM accounts WHERE id = \(bind: account.id)").first()!.decode(column: "password_hash", as: String.self)
        }
        guard try await hasher.verify(password, hash: hash) else { throw CoreError.invalid("password_wrong", field: "current_password") }
    }

    /// Forgets the counters of sign-in attempts and app registrations whose window began over a day ago (no
    /// window is longer), so that the keys guessers invent do not pile up. For the job scheduler.
    public func pruneRateCounters() async throws {
        let cutoff = clock.nowMilliseconds() - 24 * 60 * 60_000
        try await database.write { db in try await RateLimit.prune(before: cutoff, db: db) }
    }

    /// The status rules for signing in and for every request with a session or token.
    public static func ensureMaySignIn(_ account: Account, now: Int64) throws(CoreError) {
        switch account.status {
        case .active: break
        case .pending: throw CoreError(.forbidden, "account_pending")
        case .suspended: throw CoreError(.forbidden, "account_suspended")
        case .rejected: throw CoreError(.unauthenticated, "login_failed")
        }
        if let expiry = account.expiresAt, expiry <= now { throw CoreError(.forbidden, "account_expired") }
    }

    /// The one activity rule: who may act (post, reply, react, follow, send, upload) is whoever may sign in,
    /// less the accounts that only use mail. A visitor past their expiry may do neither, on any surface.
    public static func ensureMayAct(_ account: Account, now: Int64) throws(CoreError) {
        try ensureMaySignIn(account, now: now)
        guard !account.emailOnly else { throw CoreError.forbidden }
    }

    public static func mayAct(_ account: Account, now: Int64) -> Bool {
        (try? ensureMayAct(account, now: now)) != nil
    }

    /// Who may use their mail (SMTP, IMAP, web mail): whoever may sign in, mail-only accounts included.
    public static func ensureMayUseMail(_ account: Account, now: Int64) throws(CoreError) {
        try ensureMaySignIn(account, now: now)
    }

    public static func mayUseMail(_ account: Account, now: Int64) -> Bool {
        (try? ensureMayUseMail(account, now: now)) != nil
    }

    public struct ProfileChange: Sendable {
        public var displayName: String
        public var bio: String
        /// nil: follow the browser.
        public var language: String?
        public init(displayName: String, bio: String, language: String?) {
            self.displayName = displayName
            self.bio = bio
            self.language = language
        }
    }

    public func updateProfile(of account: Account, _ change: ProfileChange) async throws -> Account {
        let displayName = try AccountRules.cleanDisplayName(change.displayName)
        let bio = try AccountRules.cleanBio(change.bio)
        try AccountRules.validateLanguage(change.language)
        return try await database.write { db in
            try await db.raw("""
                UPDATE accounts SET display_name = \(bind: displayName), bio = \(bind: bio), language = \(bind: change.language)
                WHERE id = \(bind: account.id)
                """).run()
            try await SearchDocuments.account(id: account.id, username: account.username, displayName: displayName, db: db)
            return try await Self.find(id: account.id, db: db)!
        }
    }

    public func setLanguage(of account: Account, to language: String?) async throws {
        try AccountRules.validateLanguage(language)
        try await database.write { db in
            try await db.raw("UPDATE accounts SET language = \(bind: language) WHERE id = \(bind: account.id)").run()
        }
    }

    public func setTimeZone(of account: Account, to name: String?) async throws {
        try AccountRules.validateTimeZone(name)
        try await database.write { db in
            try await db.raw("UPDATE accounts SET time_zone = \(bind: name) WHERE id = \(bind: account.id)").run()
        }
    }

    /// Changes the password after checking the current one; ends every other session of the account.
    public func changePassword(of account: Account, current: String, new: String, keepSession: Int64?) async throws {
        try await verifyPassword(of: account, current)
        try AccountRules.validatePassword(new)
        let newHash = try await hasher.hash(new)
        try await log.write { db, outbox in
            try await db.raw("UPDATE accounts SET password_hash = \(bind: newHash) WHERE id = \(bind: account.id)").run()
            try await db.raw("DELETE FROM sessions WHERE account_id = \(bind: account.id) AND id <> \(bind: keepSession ?? 0)").run()
            // App tokens go too: a password change is how a member takes back a stolen account.
            try await db.raw("DELETE FROM oauth_tokens WHERE account_id = \(bind: account.id)").run()
            try await audit.record(actor: account.id, action: "account.password", target: account.username, db: db)
            // Open streams and NNTP sessions end too, wherever they are connected.
            outbox.add(Event(to: [account.id], .accountEnded(accountID: account.id)))
        }
    }

    // MARK: Admin actions

    public struct AdminChange: Sendable {
        public var role: Role?
        public var kind: AccountKind?
        public var expiresAt: Int64??
        public init(role: Role? = nil, kind: AccountKind? = nil, expiresAt: Int64?? = nil) {
            self.role = role
            self.kind = kind
            self.expiresAt = expiresAt
        }
    }

    /// Role and kind are an admin's to set. An admin cannot demote themself, so an instance never loses
    /// its last admin by accident.
    public func adminUpdate(actor: Account, target id: Int64, _ change: AdminChange) async throws -> Account {
        guard Permissions.instance(actor).administer else { throw CoreError.forbidden }
        return try await database.write { db in
            guard var target = try await Self.find(id: id, db: db) else { throw CoreError.notFound }
            let permissions = Self.moderation(of: target, by: actor)
            guard permissions.changeKind else { throw CoreError.forbidden }
            if let role = change.role, role != target.role {
                guard permissions.changeRole else { throw CoreError.invalid("cannot_demote_self", field: "role") }
                target.role = role
                try await audit.record(actor: actor.id, action: "account.role", target: target.username, detail: role.rawValue, db: db)
            }
            if let kind = change.kind, kind != target.kind {
                target.kind = kind
                try await audit.record(actor: actor.id, action: "account.kind", target: target.username, detail: kind.rawValue, db: db)
            }
            if let expiresAt = change.expiresAt {
                target.expiresAt = expiresAt
            }
            try await db.raw("""
                UPDATE accounts SET role = \(bind: target.role.rawValue), kind = \(bind: target.kind.rawValue),
                    expires_at = \(bind: target.expiresAt) WHERE id = \(bind: target.id)
                """).run()
            return target
        }
    }

    /// Suspends (or lifts a suspension). Moderators may suspend members; only admins may suspend staff.
    /// A suspension ends every session and revokes every app token at once, and writes `accountEnded` to the
    /// event log in the same transaction, so every open stream and protocol session of the member closes on
    /// every node, whichever process made the suspension (`starcon user suspend` beside running servers
    /// included). `until`: when a timed suspension ends by itself (the `accounts.end_suspensions` job); nil
    /// suspends until someone lifts it.
    public func setSuspended(actor: Account?, target id: Int64, suspended: Bool, reason: String, until: Int64? = nil) async throws -> Account {
        if let actor, !Permissions.instance(actor).administer { throw CoreError.forbidden }
        let reason = String(AccountRules.stripControls(reason).trimmingWhitespace().prefix(500))
        if suspended && reason.isEmpty { throw CoreError.invalid("reason_required", field: "reason") }
        let (target, _) = try await log.write { db, outbox -> (Account, Bool) in
            guard var target = try await Self.find(id: id, db: db) else { throw CoreError.notFound }
            guard target.status == .active || target.status == .suspended else { throw CoreError.invalid("not_a_member") }
            if let actor {
                if target.id == actor.id { throw CoreError.invalid("cannot_suspend_self") }
                let permissions = Self.moderation(of: target, by: actor)
                guard permissions.suspend || permissions.unsuspend else { throw CoreError.forbidden }
                // Asking for the state the member is already in changes nothing, except a new end for a
                // suspension (a timed one made a ban, or longer).
                let newEnd = suspended && target.status == .suspended && target.suspendedUntil != until
                guard (suspended ? permissions.suspend : permissions.unsuspend) || newEnd else { return (target, false) }
            }
            target.status = suspended ? .suspended : .active
            target.statusReason = suspended ? reason : ""
            target.suspendedUntil = suspended ? until : nil
            try await db.raw("""
                UPDATE accounts SET status = \(bind: target.status.rawValue), status_reason = \(bind: target.statusReason),
                    suspended_until = \(bind: target.suspendedUntil)
                WHERE id = \(bind: target.id)
                """).run()
            if suspended {
                try await db.raw("DELETE FROM sessions WHERE account_id = \(bind: target.id)").run()
                outbox.add(Event(to: [target.id], .accountEnded(accountID: target.id)))
                // App tokens and unexchanged codes too: lifting the suspension must not bring them back.
                try await db.raw("DELETE FROM oauth_tokens WHERE account_id = \(bind: target.id)").run()
                try await db.raw("DELETE FROM oauth_codes WHERE account_id = \(bind: target.id)").run()
            }
            let detail = (suspended ? until : nil).map { reason + " (until \(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double($0) / 1000))))" } ?? reason
            try await audit.record(actor: actor?.id, action: suspended ? "account.suspend" : "account.unsuspend",
                                   target: target.username, detail: detail, db: db)
            return (target, true)
        }
        return target
    }

    /// What `actor` may do to `target` as staff (`Permissions.account`; the relationship plays no part).
    static func moderation(of target: Account, by actor: Account) -> AccountPermissions {
        Permissions.account(target, viewer: actor, relationship: Relationship(id: target.id), mayAct: true)
    }

    /// Accounts for the admin's member list, each with what `actor` may do to it.
    public func moderationList(actor: Account, before: Int64? = nil, limit: Int = 50) async throws -> [(account: Account, permissions: AccountPermissions)] {
        guard Permissions.instance(actor).administer else { throw CoreError.forbidden }
        return try await list(before: before, limit: limit).map { ($0, Self.moderation(of: $0, by: actor)) }
    }
}
