import StarconCore
import Testing

@Suite("Sessions, invitations, registration, setup")
struct MembershipTests {
    static let password = "correct horse battery"

    static func admin(_ core: Core) async throws -> Account {
        var new = AccountService.NewAccount(username: "admin", password: password)
        new.role = .admin
        return try await core.accounts.create(new)
    }

    @Test(arguments: TestEngine.all)
    func sessionsAreListedRevokedAndEndedByPasswordChange(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let jane = try await core.accounts.create(.init(username: "jane", password: Self.password))
            let mallory = try await core.accounts.create(.init(username: "mallory", password: Self.password))
            let (laptop, laptopSession) = try await core.sessions.start(for: jane, userAgent: "Firefox", address: "10.0.0.1")
            let (phone, phoneSession) = try await core.sessions.start(for: jane, userAgent: "Android", address: "10.0.0.2")
            let (tablet, _) = try await core.sessions.start(for: jane, userAgent: "iPad", address: "10.0.0.3")
            #expect(try await core.sessions.list(for: jane).count == 3)
            #expect(try await core.sessions.resolve(token: laptop, address: "10.0.0.1")?.1.id == jane.id)
            #expect(try await core.sessions.resolve(token: "forged", address: "x") == nil)

            await #expect(throws: CoreError.notFound) { try await core.sessions.revoke(phoneSession.id, of: mallory) }
            try await core.sessions.revoke(phoneSession.id, of: jane)
            #expect(try await core.sessions.resolve(token: phone, address: "x") == nil)

            await #expect(throws: CoreError.invalid("password_wrong", field: "current_password")) {
                try await core.accounts.changePassword(of: jane, current: "not my password", new: "a brand new password", keepSession: laptopSession.id)
            }
            try await core.accounts.changePassword(of: jane, current: Self.password, new: "a brand new password", keepSession: laptopSession.id)
            #expect(try await core.sessions.resolve(token: tablet, address: "x") == nil)
            #expect(try await core.sessions.resolve(token: laptop, address: "x") != nil)
            _ = try await core.accounts.authenticate(username: "jane", password: "a brand new password", address: "x")

            try await core.sessions.end(token: laptop)
            #expect(try await core.sessions.list(for: jane).isEmpty)
        }
    }

    @Test(arguments: TestEngine.all)
    func invitationsHaveUsesAndExpiry(engine: TestEngine) async throws {
        let (clock, time) = Clock.manual(startingAt: 1_750_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            let admin = try await Self.admin(core)
            #expect(try await core.registration.mode() == .invitation)
            await #expect(throws: CoreError.invalid("invite_required", field: "invite")) {
                _ = try await core.registration.register(.init(username: "kim", displayName: "김", password: Self.password, invitationCode: nil))
            }
            let twice = try await core.invitations.create(actor: admin, uses: 2, expiresInDays: 1)
            let kim = try await core.registration.register(.init(username: "kim", displayName: "김민준", password: Self.password, invitationCode: twice.code))
            #expect(kim.status == .active)
            _ = try await core.registration.register(.init(username: "lee", displayName: "이서연", password: Self.password, invitationCode: twice.code))
            await #expect(throws: CoreError.invalid("invite_invalid", field: "invite")) {
                _ = try await core.registration.register(.init(username: "park", displayName: "박", password: Self.password, invitationCode: twice.code))
            }
            #expect(try await core.accounts.find(username: "park") == nil)

            let expiring = try await core.invitations.create(actor: admin, uses: 5, expiresInDays: 1)
            time.advance(milliseconds: 86_400_001)
            await #expect(throws: CoreError.self) { _ = try await core.invitations.check(code: expiring.code) }

            let revoked = try await core.invitations.create(actor: admin, uses: 5, expiresInDays: 3)
            try await core.invitations.revoke(actor: admin, id: revoked.id)
            await #expect(throws: CoreError.self) { _ = try await core.invitations.check(code: revoked.code) }
            await #expect(throws: CoreError.invalid("invite_uses", field: "uses")) { _ = try await core.invitations.create(actor: admin, uses: 0) }

            // A username clash must not use up the invitation.
            let single = try await core.invitations.create(actor: nil, uses: 1, expiresInDays: 2)
            await #expect(throws: CoreError.self) {
                _ = try await core.registration.register(.init(username: "KIM", displayName: "x", password: Self.password, invitationCode: single.code))
            }
            #expect(try await core.invitations.check(code: single.code).uses == 0)
        }
    }

    @Test(arguments: TestEngine.all)
    func approvalQueue(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let admin = try await Self.admin(core)
            try await core.registration.setMode(actor: admin, .approval)
            let olga = try await core.registration.register(.init(
                username: "olga", displayName: "Ольга", password: Self.password, invitationCode: nil, note: "Я с третьего курса"))
            #expect(olga.status == .pending)
            await #expect(throws: CoreError(.forbidden, "account_pending")) {
                _ = try await core.accounts.authenticate(username: "olga", password: Self.password, address: "a")
            }
            let queue = try await core.registration.pending(actor: admin)
            #expect(queue.map(\.username) == ["olga"] && queue.first?.registrationNote == "Я с третьего курса")
            _ = try await core.registration.decide(actor: admin, accountID: olga.id, approve: true)
            _ = try await core.accounts.authenticate(username: "olga", password: Self.password, address: "a")
            let spam = try await core.registration.register(.init(username: "spam", displayName: "spam", password: Self.password, invitationCode: nil))
            _ = try await core.registration.decide(actor: admin, accountID: spam.id, approve: false)
            await #expect(throws: CoreError(.unauthenticated, "login_failed")) {
                _ = try await core.accounts.authenticate(username: "spam", password: Self.password, address: "a")
            }
            await #expect(throws: CoreError.notFound) { _ = try await core.registration.decide(actor: admin, accountID: spam.id, approve: true) }

            try await core.registration.setMode(actor: admin, .open)
            let open = try await core.registration.register(.init(username: "yuki", displayName: "ゆき", password: Self.password, invitationCode: nil))
            #expect(open.status == .active)
        }
    }

    @Test(arguments: TestEngine.all)
    func setupLinkWorksOnceThenNeverAgain(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let stale = try #require(try await core.setup.issueTokenIfNeeded())
            let token = try #require(try await core.setup.issueTokenIfNeeded())
            #expect(try await core.setup.isValid(token: stale) == false)
            #expect(try await core.setup.isValid(token: token))
            let admin = try await core.setup.complete(token: token, username: "root", displayName: "Root", password: Self.password, language: "ko")
            #expect(admin.role == .admin && admin.language == "ko")
            #expect(try await core.setup.isValid(token: token) == false)
            await #expect(throws: CoreError(.forbidden, "setup_used")) {
                _ = try await core.setup.complete(token: token, username: "evil", displayName: "Evil", password: Self.password, language: nil)
            }
            #expect(try await core.setup.issueTokenIfNeeded() == nil)
        }
    }

    @Test(arguments: TestEngine.all)
    func settingsAreCreatedOnceAcrossCallers(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            async let a = core.settings.getOrCreate(.formSecret) { "first" }
            async let b = core.settings.getOrCreate(.formSecret) { "second" }
            let (x, y) = try await (a, b)
            #expect(x == y)
        }
    }
}
