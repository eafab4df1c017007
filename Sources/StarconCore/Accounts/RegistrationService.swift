import SQLKit

/// How newcomers join: by invitation (default), by approval, or openly; plus the admins' approval queue.
public struct RegistrationService: Sendable {
    let database: any Database
    let clock: Clock
    let accounts: AccountService
    let settings: Settings
    let audit: AuditLog

    public func mode() async throws -> RegistrationMode {
        try await settings.get(.registrationMode).flatMap(RegistrationMode.init(rawValue:)) ?? .invitation
    }

    public func setMode(actor: Account, _ mode: RegistrationMode) async throws {
        guard actor.isAdmin else { throw CoreError.forbidden }
        try await database.write { db in
            try await Settings.set(.registrationMode, mode.rawValue, db: db)
            try await audit.record(actor: actor.id, action: "registration.mode", target: mode.rawValue, db: db)
        }
    }

    public struct Request: Sendable {
        public var username: String
        public var displayName: String
        public var password: String
        public var invitationCode: String?
        public var note: String
        public var language: String?
        public init(username: String, displayName: String, password: String, invitationCode: String?, note: String = "", language: String? = nil) {
            self.username = username
            self.displayName = displayName
            self.password = password
            self.invitationCode = invitationCode
            self.note = note
            self.language = language
        }
    }

    /// Registers a newcomer. With a usable invitation the account is active at once (whatever the mode);
    /// without one, approval mode queues it as pending and open mode activates it; invitation mode refuses.
    public func register(_ request: Request) async throws -> Account {
        let mode = try await mode()
        let code = request.invitationCode.flatMap { $0.isEmpty ? nil : $0 }
        if code == nil && mode == .invitation { throw CoreError.invalid("invite_required", field: "invite") }
        var new = AccountService.NewAccount(username: request.username, displayName: request.displayName, password: request.password)
        new.language = request.language
        new.registrationNote = request.note
        new.status = code != nil || mode == .open ? .active : .pending
        let (cleaned, hash) = try await accounts.prepare(new)
        let now = clock.nowMilliseconds()
        return try await database.write { db in
            var toInsert = cleaned
            if let code {
                let invitation = try await InvitationService.usable(code: code, db: db, now: now)
                try await InvitationService.consume(invitation, db: db)
                toInsert.invitedBy = invitation.createdBy
            }
            let account = try await accounts.insert(toInsert, passwordHash: hash, db: db)
            try await audit.record(actor: account.id, action: "account.register", target: account.username,
                                   detail: code != nil ? "invitation" : mode.rawValue, db: db)
            return account
        }
    }

    /// Pending registrations, oldest first (first come, first served).
    public func pending(actor: Account) async throws -> [Account] {
        guard actor.isAdmin else { throw CoreError.forbidden }
        return try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: AccountRow.columns) FROM accounts WHERE status = 'pending' ORDER BY id ASC LIMIT 200
                """).all().map(AccountRow.decode)
        }
    }

    public func decide(actor: Account, accountID: Int64, approve: Bool) async throws -> Account {
        guard actor.isAdmin else { throw CoreError.forbidden }
        return try await database.write { db in
            guard var target = try await AccountService.find(id: accountID, db: db), target.status == .pending else {
                throw CoreError.notFound
            }
            target.status = approve ? .active : .rejected
            try await db.raw("UPDATE accounts SET status = \(bind: target.status.rawValue) WHERE id = \(bind: target.id)").run()
            // Pending, the member got no announcement by mail: every live one comes now.
            if approve { try await accounts.announcementMail.deliver(to: target, publishedBefore: nil, db: db) }
            try await audit.record(actor: actor.id, action: approve ? "registration.approve" : "registration.reject",
                                   target: target.username, db: db)
            return target
        }
    }
}
