import SQLKit
@testable import StarconCore
import Testing

/// RFC 6238 and the account-protection rules: app passwords on the protocol sign-in, TOTP at the web and
/// OAuth sign-in, and the admin lock of a hacked account, on both databases.
@Suite("Account security")
struct AccountSecurityTests {
    static let password = "correct horse battery"
    /// RFC 6238 Appendix B's SHA-1 seed, "12345678901234567890".
    static let rfcSecret = Array("12345678901234567890".utf8)

    @Test func totpMatchesTheRFC6238TestVectors() {
        let eight = TOTP(secret: Self.rfcSecret, digits: 8)
        let vectors: [(Int64, String)] = [(59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
                                          (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130")]
        for (seconds, code) in vectors {
            #expect(eight.code(step: eight.step(atMilliseconds: seconds * 1000)) == code, "T = \(seconds)")
        }
        // Six digits are the last six of the same value (what authenticator apps show).
        let six = TOTP(secret: Self.rfcSecret)
        #expect(six.code(step: six.step(atMilliseconds: 59_000)) == "287082")
    }

    @Test func totpAcceptsOneStepOfDriftAndNothingElse() {
        let totp = TOTP(secret: Self.rfcSecret)
        let now: Int64 = 1_111_111_111_000
        let step = totp.step(atMilliseconds: now)
        #expect(totp.matchingStep(totp.code(step: step), atMilliseconds: now) == step)
        #expect(totp.matchingStep(totp.code(step: step - 1), atMilliseconds: now) == step - 1)
        #expect(totp.matchingStep(totp.code(step: step + 1), atMilliseconds: now) == step + 1)
        #expect(totp.matchingStep(totp.code(step: step - 2), atMilliseconds: now) == nil)
        for junk in ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦"] { #expect(totp.matchingStep(junk, atMilliseconds: now) == nil) }
    }

    @Test func base32RoundTripsAndTheURIIsWhatAppsRead() {
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(Base32.decode("mzxw 6ytb-oi") == Array("foobar".utf8))
        #expect(Base32.decode("not base32!") == nil)
        let uri = TOTP.uri(secret: Self.rfcSecret, account: "kim", issuer: "Starcon Net")
        #expect(uri == "otpauth://totp/Starcon%20Net%3Akim?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Starcon%20Net&algorithm=SHA1&digits=6&period=30")
    }

    /// Turns TOTP on for `member` at the clock's time and returns the secret and the recovery codes.
    static func enableTOTP(_ core: Core, _ member: Account) async throws -> (TOTP, [String]) {
        let enrolment = try await core.twoFactor.beginEnrolment(for: member, issuer: "Starcon")
        let totp = TOTP(secret: Base32.decode(enrolment.secret)!)
        let codes = try await core.twoFactor.confirm(for: member, code: totp.code(step: totp.step(atMilliseconds: core.clock.nowMilliseconds())))
        return (totp, codes)
    }

    @Test(arguments: TestEngine.all)
    func appPasswordsSignInProtocolClientsAndTOTPShutsOutTheMainPassword(engine: TestEngine) async throws {
        let (clock, time) = Clock.manual(startingAt: 1_750_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            let (secret, made) = try await core.appPasswords.create(for: kim, name: "Thunderbird")
            #expect(secret.count == 19 && made.name == "Thunderbird")
            let viaApp = try await core.signIn.client(username: "kim", password: secret, address: "a", surface: .imap)
            #expect(viaApp.appPasswordID == made.id)
            // Mail clients may drop the spaces.
            _ = try await core.signIn.client(username: "kim", password: secret.replacingOccurrences(of: " ", with: ""), address: "a", surface: .smtp)
            let viaMain = try await core.signIn.client(username: "kim", password: Self.password, address: "a", surface: .nntp)
            #expect(viaMain.appPasswordID == nil)
            // An app password is not a web password.
            await #expect(throws: CoreError(.unauthenticated, "login_failed")) {
                _ = try await core.signIn.password(username: "kim", password: secret, address: "a")
            }
            #expect(try await core.appPasswords.list(for: kim).first?.lastUsedAt == time.value)

            _ = try await Self.enableTOTP(core, kim)
            await #expect(throws: CoreError(.forbidden, "app_password_required")) {
                _ = try await core.signIn.client(username: "kim", password: Self.password, address: "a", surface: .imap)
            }
            #expect(await core.signIn.stillValid(viaApp))
            #expect(await !core.signIn.stillValid(viaMain), "a main-password session ends once TOTP is on")
            _ = try await core.signIn.client(username: "kim", password: secret, address: "a", surface: .imap)

            let lee = try await TestStore.member(core, "lee")
            await #expect(throws: CoreError.notFound) { try await core.appPasswords.revoke(made.id, of: lee) }
            try await core.appPasswords.revoke(made.id, of: kim)
            #expect(await !core.signIn.stillValid(viaApp))
            await #expect(throws: CoreError(.unauthenticated, "login_failed")) {
                _ = try await core.signIn.client(username: "kim", password: secret, address: "b", surface: .imap)
            }
            let surfaces = Set(try await core.signIn.recent(for: kim).map(\.surface))
            #expect(surfaces == [.imap, .smtp, .nntp])
        }
    }

    @Test(arguments: TestEngine.all)
    func webSignInAsksForTheCodeAndNoCodeWorksTwice(engine: TestEngine) async throws {
        let (clock, time) = Clock.manual(startingAt: 1_750_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            #expect(try await core.signIn.password(username: "kim", password: Self.password, address: "a") == .signedIn(kim))
            let (totp, recovery) = try await Self.enableTOTP(core, kim)
            #expect(recovery.count == 10 && Set(recovery).count == 10)
            guard case .needsCode(let challenge) = try await core.signIn.password(username: "kim", password: Self.password, address: "a") else {
                Issue.record("no code asked")
                return
            }
            let spent = totp.code(step: totp.step(atMilliseconds: time.value))
            await #expect(throws: CoreError.invalid("totp_code_wrong", field: "code"), "the code that confirmed enrolment is spent") {
                _ = try await core.signIn.code(challenge: challenge, code: spent, address: "a")
            }
            time.advance(milliseconds: 30_000)
            let fresh = totp.code(step: totp.step(atMilliseconds: time.value))
            #expect(try await core.signIn.code(challenge: challenge, code: fresh, address: "a").id == kim.id)
            await #expect(throws: CoreError(.unauthenticated, "sign_in_expired"), "a challenge works once") {
                _ = try await core.signIn.code(challenge: challenge, code: fresh, address: "a")
            }
            // A recovery code works once; then the second factor is throttled like a password.
            guard case .needsCode(let again) = try await core.signIn.password(username: "kim", password: Self.password, address: "a") else { return }
            #expect(try await core.signIn.code(challenge: again, code: recovery[0].uppercased(), address: "a").id == kim.id)
            guard case .needsCode(let third) = try await core.signIn.password(username: "kim", password: Self.password, address: "a") else { return }
            await #expect(throws: CoreError.invalid("totp_code_wrong", field: "code")) {
                _ = try await core.signIn.code(challenge: third, code: recovery[0], address: "a")
            }
            for _ in 0..<4 { _ = try? await core.signIn.code(challenge: third, code: "000000", address: "a") }
            await #expect(throws: CoreError.self) {
                _ = try await core.signIn.code(challenge: third, code: totp.code(step: totp.step(atMilliseconds: time.value) + 1), address: "a")
            }
            #expect(try await core.twoFactor.status(of: kim, issuer: "x").recoveryCodesLeft == 9)
            // The password grant has no code step.
            let (app, appSecret) = try await core.oauth.registerApp(name: "Toot", redirectURIs: OAuthService.outOfBand, scopes: "read", website: "", address: "a")
            await #expect(throws: CoreError(.forbidden, "totp_requires_browser")) {
                _ = try await core.oauth.token(clientID: app.clientID, clientSecret: appSecret,
                                               grant: .password(username: "kim", password: Self.password, scopes: "read", address: "b"))
            }
            // Turning it off takes the password and a code.
            time.advance(milliseconds: 60_000)
            await #expect(throws: CoreError.invalid("password_wrong", field: "current_password")) {
                try await core.twoFactor.disable(for: kim, password: "wrong wrong wrong", code: "", address: "c")
            }
            try await core.twoFactor.disable(for: kim, password: Self.password, code: recovery[1], address: "c")
            #expect(try await core.twoFactor.isEnabled(kim) == false)
            let actions = try await core.audit.list(actor: try await core.accounts.create(.init(username: "root", password: Self.password)).promoted(core),
                                                    filter: .init(actorID: kim.id)).map(\.action)
            #expect(actions.contains("account.totp_enable") && actions.contains("account.totp_disable"))
        }
    }

    @Test(arguments: TestEngine.all)
    func lockingRevokesEverythingAndOnlyTheResetLinkOpensTheAccount(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            let admin = try await core.accounts.create(.init(username: "root", password: Self.password)).promoted(core)
            let (session, _) = try await core.sessions.start(for: kim, userAgent: "Firefox", address: "a")
            let (app, appSecret) = try await core.oauth.registerApp(name: "Toot", redirectURIs: OAuthService.outOfBand, scopes: "read", website: "", address: "a")
            let token = try await core.oauth.token(clientID: app.clientID, clientSecret: appSecret,
                                                   grant: .password(username: "kim", password: Self.password, scopes: "read", address: "a")).token
            let (appPassword, _) = try await core.appPasswords.create(for: kim, name: "Mutt")
            let imap = try await core.signIn.client(username: "kim", password: appPassword, address: "a", surface: .imap)
            let recording = core.events.record(accountID: kim.id)

            await #expect(throws: CoreError.forbidden) { _ = try await core.locks.lock(actor: kim, target: admin.id, reason: "") }
            await #expect(throws: CoreError.invalid("cannot_lock_self")) { _ = try await core.locks.lock(actor: admin, target: admin.id, reason: "") }
            let (_, reset) = try await core.locks.lock(actor: admin, target: kim.id, reason: "phished")

            #expect(try await core.sessions.resolve(token: session, address: "a") == nil)
            #expect(try await core.oauth.resolve(token: token) == nil)
            #expect(try await core.appPasswords.list(for: kim).isEmpty)
            #expect(await !core.signIn.stillValid(imap))
            let lockedOut = CoreError(.forbidden, "password_reset_required")
            await #expect(throws: lockedOut) { _ = try await core.signIn.password(username: "kim", password: Self.password, address: "a") }
            await #expect(throws: lockedOut) { _ = try await core.signIn.client(username: "kim", password: Self.password, address: "a", surface: .nntp) }
            for await event in recording.events {
                if case .accountEnded(let id) = event.payload, id == kim.id { break }
            }
            recording.cancel()

            await #expect(throws: CoreError.invalid("password_short", field: "password")) {
                _ = try await core.locks.resetPassword(token: reset, newPassword: "short")
            }
            #expect(try await core.locks.account(forResetToken: reset)?.id == kim.id)
            _ = try await core.locks.resetPassword(token: reset, newPassword: "a brand new password")
            await #expect(throws: CoreError(.notFound, "reset_link_invalid"), "the link works once") {
                _ = try await core.locks.resetPassword(token: reset, newPassword: "another new password")
            }
            guard case .signedIn(let back) = try await core.signIn.password(username: "kim", password: "a brand new password", address: "a") else {
                Issue.record("the new password does not sign in")
                return
            }
            #expect(back.id == kim.id)
            let actions = try await core.audit.list(actor: admin).map(\.action)
            #expect(actions.contains("account.lock") && actions.contains("account.password_reset") && actions.contains("app_password.create"))
        }
    }
}

extension Account {
    /// This account made an admin (the store suites' shortcut past the first-run setup).
    func promoted(_ core: Core) async throws -> Account {
        try await core.database.write { db in try await db.raw("UPDATE accounts SET role = 'admin' WHERE id = \(bind: id)").run() }
        return try await core.accounts.find(id: id)!
    }
}
