@testable import StarconCore
import Testing

@Suite("OAuth store")
struct OAuthServiceTests {
    static let password = "correct horse battery"
    static let oob = OAuthService.outOfBand

    /// Registering is open to anyone, so what one registration may hold is bounded, registrations are counted
    /// per address, and apps that never got a token are deleted after a day.
    @Test(arguments: TestEngine.all)
    func appRegistrationIsBoundedAndUnusedAppsArePruned(engine: TestEngine) async throws {
        let (clock, time) = Clock.manual(startingAt: 1_750_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            let oauth = core.oauth
            let eleven = (0..<11).map { "https://app.example/cb\($0)" }.joined(separator: "\n")
            await #expect(throws: CoreError.invalid("redirect_uris_long", field: "redirect_uris")) {
                _ = try await oauth.registerApp(name: "x", redirectURIs: eleven, scopes: "read", website: "", address: "a")
            }
            let long = (0..<5).map { "https://app.example/" + String(repeating: "p", count: 450) + "\($0)" }.joined(separator: "\n")
            await #expect(throws: CoreError.invalid("redirect_uris_long", field: "redirect_uris")) {
                _ = try await oauth.registerApp(name: "x", redirectURIs: long, scopes: "read", website: "", address: "a")
            }
            await #expect(throws: CoreError.invalid("redirect_uri", field: "redirect_uris")) {
                _ = try await oauth.registerApp(name: "x", redirectURIs: "https://a.example/" + String(repeating: "p", count: 500),
                                                scopes: "read", website: "", address: "a")
            }
            await #expect(throws: CoreError.invalid("app_website", field: "website")) {
                _ = try await oauth.registerApp(name: "x", redirectURIs: Self.oob, scopes: "read", website: String(repeating: "w", count: 501), address: "a")
            }
            await #expect(throws: CoreError.invalid("app_name", field: "client_name")) {
                _ = try await oauth.registerApp(name: String(repeating: "n", count: 201), redirectURIs: Self.oob, scopes: "read", website: "", address: "a")
            }

            let limit = OAuthService.AppLimits.perAddress.limit
            var apps: [(OAuthApp, String)] = []
            for index in 0..<limit {
                apps.append(try await oauth.registerApp(name: "app \(index)", redirectURIs: Self.oob, scopes: "read", website: "", address: "192.0.2.1"))
            }
            do {
                _ = try await oauth.registerApp(name: "one more", redirectURIs: Self.oob, scopes: "read", website: "", address: "192.0.2.1")
                Issue.record("a registration over the limit was accepted")
            } catch let error as CoreError {
                #expect(error.kind == .throttled && error.key == "apps_throttled" && (error.retryAfterSeconds ?? 0) > 0)
            }
            _ = try await oauth.registerApp(name: "elsewhere", redirectURIs: Self.oob, scopes: "read", website: "", address: "192.0.2.2")

            _ = try await core.accounts.create(.init(username: "kim", password: Self.password))
            let (used, secret) = apps[0]
            _ = try await oauth.token(clientID: used.clientID, clientSecret: secret,
                                      grant: .password(username: "kim", password: Self.password, scopes: "read", address: "a"))
            #expect(try await oauth.pruneUnusedApps() == 0, "nothing is a day old yet")
            time.advance(milliseconds: 25 * 60 * 60_000)
            #expect(try await oauth.pruneUnusedApps() == (limit - 1) + 1, "every app but the one that got a token, and \"elsewhere\"")
            #expect(try await oauth.app(clientID: used.clientID) != nil)
            #expect(try await oauth.app(clientID: apps[1].0.clientID) == nil)
        }
    }

    /// A suspension revokes the member's tokens, so lifting it does not bring them back.
    @Test(arguments: TestEngine.all)
    func suspensionRevokesTokensForGood(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let admin = try await core.accounts.create({ var n = AccountService.NewAccount(username: "root", password: Self.password); n.role = .admin; return n }())
            let lee = try await core.accounts.create(.init(username: "lee", password: Self.password))
            let (app, secret) = try await core.oauth.registerApp(name: "client", redirectURIs: Self.oob, scopes: "read", website: "", address: "a")
            let (token, _, _) = try await core.oauth.token(clientID: app.clientID, clientSecret: secret,
                                                           grant: .password(username: "lee", password: Self.password, scopes: "read", address: "a"))
            #expect(try await core.oauth.resolve(token: token)?.account?.id == lee.id)
            _ = try await core.accounts.setSuspended(actor: admin, target: lee.id, suspended: true, reason: "spam")
            _ = try await core.accounts.setSuspended(actor: admin, target: lee.id, suspended: false, reason: "")
            #expect(try await core.oauth.resolve(token: token) == nil)
        }
    }
}
