import StarconCore
import Synchronization
import Testing

@Suite("Accounts")
struct AccountServiceTests {
    static let password = "correct horse battery"

    @Test(arguments: TestEngine.all)
    func createFindAndAuthenticate(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let alice = try await core.accounts.create(.init(username: "Alice", displayName: "앨리스 Алиса", password: Self.password))
            #expect(alice.role == .member && alice.kind == .person && alice.status == .active)
            #expect(try await core.accounts.find(username: "alice")?.id == alice.id)
            #expect(try await core.accounts.find(username: "ALICE")?.displayName == "앨리스 Алиса")
            let signedIn = try await core.accounts.authenticate(username: "alice", password: Self.password, address: "10.0.0.1")
            #expect(signedIn.id == alice.id)
        }
    }

    @Test(arguments: TestEngine.all)
    func usernamesAreUniqueIgnoringCase(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            _ = try await core.accounts.create(.init(username: "bob", password: Self.password))
            await #expect(throws: CoreError(.conflict, "username_taken", field: "username")) {
                _ = try await core.accounts.create(.init(username: "BOB", password: Self.password))
            }
        }
    }

    @Test(arguments: TestEngine.all)
    func wrongPasswordAndUnknownUserGiveTheSameAnswer(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            _ = try await core.accounts.create(.init(username: "carol", password: Self.password))
            let failed = CoreError(.unauthenticated, "login_failed")
            await #expect(throws: failed) { _ = try await core.accounts.authenticate(username: "carol", password: "nope nope nope", address: "a") }
            await #expect(throws: failed) { _ = try await core.accounts.authenticate(username: "nobody", password: Self.password, address: "a") }
        }
    }

    /// Five wrong passwords from one address lock the account from that address for the window, even with the
    /// right password, and the count lives in the store: a restarted server (a new Core on the same
    /// database) still refuses. The owner elsewhere is not locked out.
    @Test(arguments: TestEngine.all)
    func loginsAreThrottledPerAccountAndAddressAcrossRestarts(engine: TestEngine) async throws {
        let (clock, time) = Clock.manual(startingAt: 1_750_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            _ = try await core.accounts.create(.init(username: "dave", password: Self.password))
            for attempt in 0..<5 {
                await #expect(throws: CoreError(.unauthenticated, "login_failed")) {
                    _ = try await core.accounts.authenticate(username: "dave", password: "wrong \(attempt) wrong", address: "10.0.0.1")
                }
            }
            let restarted = Core(database: core.database, clock: clock)
            do {
                _ = try await restarted.accounts.authenticate(username: "dave", password: Self.password, address: "10.0.0.1")
                Issue.record("a locked account signed in")
            } catch let error as CoreError {
                #expect(error.kind == .throttled)
                #expect((error.retryAfterSeconds ?? 0) > 0)
            }
            _ = try await restarted.accounts.authenticate(username: "dave", password: Self.password, address: "10.9.9.9")
            time.advance(milliseconds: 16 * 60_000)
            _ = try await restarted.accounts.authenticate(username: "dave", password: Self.password, address: "10.0.0.1")
        }
    }

    /// The account-wide limit holds against guesses from many addresses.
    @Test(arguments: TestEngine.all)
    func loginsAreThrottledPerAccountFromAnywhere(engine: TestEngine) async throws {
        let (clock, _) = Clock.manual(startingAt: 1_750_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            var accounts = core.accounts
            accounts.throttle.perAccount.limit = 4
            _ = try await accounts.create(.init(username: "dora", password: Self.password))
            for attempt in 0..<4 {
                await #expect(throws: CoreError(.unauthenticated, "login_failed")) {
                    _ = try await accounts.authenticate(username: "dora", password: "wrong wrong wrong", address: "10.1.0.\(attempt)")
                }
            }
            await #expect(throws: CoreError.self) {
                _ = try await accounts.authenticate(username: "dora", password: Self.password, address: "10.1.1.1")
            }
        }
    }

    @Test(arguments: TestEngine.all)
    func loginsAreThrottledPerAddress(engine: TestEngine) async throws {
        let (clock, _) = Clock.manual(startingAt: 1_750_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            var accounts = core.accounts
            accounts.throttle.perAddress.limit = 3
            _ = try await accounts.create(.init(username: "erin", password: Self.password))
            for name in ["x1", "x2", "x3"] {
                await #expect(throws: CoreError(.unauthenticated, "login_failed")) {
                    _ = try await accounts.authenticate(username: name, password: "whatever whatever", address: "192.0.2.7")
                }
            }
            await #expect(throws: CoreError.self) {
                _ = try await accounts.authenticate(username: "erin", password: Self.password, address: "192.0.2.7")
            }
            _ = try await accounts.authenticate(username: "erin", password: Self.password, address: "192.0.2.8")
        }
    }

    /// Attempts sent at the same moment cannot slip under the limit: each is counted before its password is
    /// checked, so of 40 parallel wrong passwords at most 5 are verified (all 40 were, when the failure was
    /// recorded after the check), and the right password after them is refused. Others are not locked out.
    @Test(arguments: TestEngine.all)
    func parallelAttemptsVerifyNoMoreThanTheLimit(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            _ = try await core.accounts.create(.init(username: "hana", password: Self.password))
            _ = try await core.accounts.create(.init(username: "ivan", password: Self.password))
            let verified = Counter()
            let counting = Core(database: core.database, hasher: PasswordHasher(onVerify: { verified.increment() }))
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for attempt in 0..<40 {
                    group.addTask {
                        do {
                            _ = try await counting.accounts.authenticate(username: "hana", password: "guess \(attempt) guess", address: "198.51.100.9")
                            return "signed in"
                        } catch let error as CoreError {
                            return error.key
                        }
                    }
                }
                return try await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
            }
            let limit = counting.accounts.throttle.perAccountAddress.limit
            #expect(verified.value <= limit, "\(verified.value) of 40 parallel passwords were verified")
            #expect(outcomes["login_failed"] == verified.value && outcomes["login_throttled"] == 40 - verified.value)
            let before = verified.value
            await #expect(throws: CoreError.self) {
                _ = try await counting.accounts.authenticate(username: "hana", password: Self.password, address: "198.51.100.9")
            }
            #expect(verified.value == before, "a throttled attempt still checked the password")
            _ = try await counting.accounts.authenticate(username: "hana", password: Self.password, address: "198.51.100.10")
            _ = try await counting.accounts.authenticate(username: "ivan", password: Self.password, address: "198.51.100.9")
        }
    }

    /// The account-wide counter too, against parallel guesses from many addresses.
    @Test(arguments: TestEngine.all)
    func parallelAttemptsFromManyAddressesVerifyNoMoreThanTheAccountLimit(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            _ = try await core.accounts.create(.init(username: "jun", password: Self.password))
            let verified = Counter()
            var accounts = Core(database: core.database, hasher: PasswordHasher(onVerify: { verified.increment() })).accounts
            accounts.throttle.perAccount.limit = 8
            let throttled = accounts
            try await withThrowingTaskGroup(of: Void.self) { group in
                for attempt in 0..<30 {
                    group.addTask {
                        _ = try? await throttled.authenticate(username: "jun", password: "guess guess guess", address: "203.0.113.\(attempt)")
                    }
                }
                try await group.waitForAll()
            }
            #expect(verified.value <= 8, "\(verified.value) of 30 parallel passwords were verified")
        }
    }

    @Test(arguments: TestEngine.all)
    func suspendedPendingAndExpiredAccountsCannotSignIn(engine: TestEngine) async throws {
        let (clock, time) = Clock.manual(startingAt: 1_750_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            let admin = try await core.accounts.create({ var n = AccountService.NewAccount(username: "root", password: Self.password); n.role = .admin; return n }())
            let frank = try await core.accounts.create(.init(username: "frank", password: Self.password))
            let (token, _) = try await core.sessions.start(for: frank, userAgent: "test", address: "a")
            _ = try await core.accounts.setSuspended(actor: admin, target: frank.id, suspended: true, reason: "spam")
            await #expect(throws: CoreError(.forbidden, "account_suspended")) {
                _ = try await core.accounts.authenticate(username: "frank", password: Self.password, address: "a")
            }
            #expect(try await core.sessions.resolve(token: token, address: "a") == nil)

            let visitor = try await core.accounts.create({ var n = AccountService.NewAccount(username: "guest", password: Self.password); n.kind = .visitor; return n }())
            _ = try await core.accounts.adminUpdate(actor: admin, target: visitor.id, .init(expiresAt: .some(clock.nowMilliseconds() + 1000)))
            _ = try await core.accounts.authenticate(username: "guest", password: Self.password, address: "a")
            time.advance(milliseconds: 2000)
            await #expect(throws: CoreError(.forbidden, "account_expired")) {
                _ = try await core.accounts.authenticate(username: "guest", password: Self.password, address: "a")
            }
        }
    }

    /// A suspension is announced once it is committed, to the suspended member only, so every stream of theirs
    /// ends at once; a refused suspension and lifting one announce nothing.
    @Test(arguments: TestEngine.all)
    func suspensionPublishesAccountEndedToTheMember(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let admin = try await core.accounts.create({ var n = AccountService.NewAccount(username: "root", password: Self.password); n.role = .admin; return n }())
            let frank = try await core.accounts.create(.init(username: "frank", password: Self.password))
            let other = try await core.accounts.create(.init(username: "gail", password: Self.password))
            let frankEvents = core.events.record(accountID: frank.id)
            let otherEvents = core.events.record(accountID: other.id)
            await #expect(throws: CoreError.invalid("reason_required", field: "reason")) {
                _ = try await core.accounts.setSuspended(actor: admin, target: frank.id, suspended: true, reason: " ")
            }
            _ = try await core.accounts.setSuspended(actor: admin, target: frank.id, suspended: true, reason: "spam")
            _ = try await core.accounts.setSuspended(actor: admin, target: frank.id, suspended: false, reason: "")
            try await core.log.waitUntilDelivered()
            frankEvents.cancel()
            otherEvents.cancel()
            var ended: [Int64] = []
            for await event in frankEvents.events {
                if case .accountEnded(let id) = event.payload { ended.append(id) }
            }
            #expect(ended == [frank.id])
            var otherCount = 0
            for await _ in otherEvents.events { otherCount += 1 }
            #expect(otherCount == 0)
        }
    }

    @Test(arguments: TestEngine.all)
    func onlyStaffMayActOnOthers(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let member = try await core.accounts.create(.init(username: "gina", password: Self.password))
            let other = try await core.accounts.create(.init(username: "hank", password: Self.password))
            let moderator = try await core.accounts.create({ var n = AccountService.NewAccount(username: "mod", password: Self.password); n.role = .moderator; return n }())
            let admin = try await core.accounts.create({ var n = AccountService.NewAccount(username: "boss", password: Self.password); n.role = .admin; return n }())
            await #expect(throws: CoreError.forbidden) { _ = try await core.accounts.setSuspended(actor: member, target: other.id, suspended: true, reason: "x") }
            await #expect(throws: CoreError.forbidden) { _ = try await core.accounts.adminUpdate(actor: moderator, target: other.id, .init(role: .admin)) }
            await #expect(throws: CoreError.forbidden) { _ = try await core.accounts.setSuspended(actor: moderator, target: admin.id, suspended: true, reason: "x") }
            await #expect(throws: CoreError.forbidden) { _ = try await core.invitations.create(actor: member) }
            await #expect(throws: CoreError.forbidden) { try await core.registration.setMode(actor: moderator, .open) }
            await #expect(throws: CoreError.invalid("cannot_demote_self", field: "role")) {
                _ = try await core.accounts.adminUpdate(actor: admin, target: admin.id, .init(role: .member))
            }
            let promoted = try await core.accounts.adminUpdate(actor: admin, target: other.id, .init(role: .moderator, kind: .official))
            #expect(promoted.role == .moderator && promoted.kind == .official)
            _ = try await core.accounts.setSuspended(actor: moderator, target: member.id, suspended: true, reason: "abuse")
            let entries = try await core.audit.list(actor: admin)
            #expect(entries.contains { $0.action == "account.suspend" && $0.target == "gina" && $0.detail == "abuse" })
            await #expect(throws: CoreError.forbidden) { _ = try await core.audit.list(actor: other.role == .member ? other : member) }
        }
    }

    @Test(arguments: TestEngine.all)
    func profileChangesAreCleanedAndChecked(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let ivan = try await core.accounts.create(.init(username: "ivan", password: Self.password))
            let updated = try await core.accounts.updateProfile(of: ivan, .init(displayName: " Иван Петров ", bio: "Привет\r\nмир", language: "ru"))
            #expect(updated.displayName == "Иван Петров" && updated.bio == "Привет\nмир" && updated.language == "ru")
            await #expect(throws: CoreError.self) { _ = try await core.accounts.updateProfile(of: ivan, .init(displayName: "x", bio: "", language: "fr")) }
            #expect(try await core.accounts.find(id: ivan.id)?.language == "ru")
        }
    }

    @Test(arguments: TestEngine.all)
    func listingIsKeysetPagedNewestFirst(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            for index in 0..<7 { _ = try await core.accounts.create(.init(username: "user\(index)", password: Self.password)) }
            let first = try await core.accounts.list(limit: 3)
            let second = try await core.accounts.list(before: first.last!.id, limit: 3)
            let third = try await core.accounts.list(before: second.last!.id, limit: 3)
            #expect(first.map(\.username) == ["user6", "user5", "user4"])
            #expect(second.map(\.username) == ["user3", "user2", "user1"])
            #expect(third.map(\.username) == ["user0"])
        }
    }
}

/// Counts calls from any thread.
final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
