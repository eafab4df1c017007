@testable import StarconCore
import Testing

/// A forgotten password (issue 15): the lock's one-time link, issued by an admin or the command line, for any
/// member, changing nothing until it is used.
@Suite("Reset links")
struct ResetLinkTests {
    @Test(arguments: TestEngine.all)
    func anAdminIssuesALinkThatChangesNothingUntilUsedAndVoidsTheEarlierOne(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            let lee = try await TestStore.member(core, "lee")
            let admin = try await core.accounts.create(.init(username: "root", password: AccountSecurityTests.password)).promoted(core)
            await #expect(throws: CoreError.forbidden) { _ = try await core.locks.issueResetLink(actor: lee, target: kim.id) }
            await #expect(throws: CoreError.forbidden, "not for oneself") { _ = try await core.locks.issueResetLink(actor: admin, target: admin.id) }
            #expect(!Permissions.issueResetLink(kim, viewer: lee) && Permissions.issueResetLink(kim, viewer: admin))
            let (session, _) = try await core.sessions.start(for: kim, userAgent: "Firefox", address: "a")
            let first = try await core.locks.issueResetLink(actor: admin, target: kim.id)
            let second = try await core.locks.issueResetLink(actor: nil, target: kim.id)
            #expect(try await core.sessions.resolve(token: session, address: "a") != nil, "issuing a link ends nothing")
            #expect(try await core.locks.account(forResetToken: first) == nil, "the earlier link stops working")
            #expect(try await core.locks.account(forResetToken: second)?.id == kim.id)
            _ = try await core.locks.resetPassword(token: second, newPassword: "a brand new password")
            guard case .signedIn = try await core.signIn.password(username: "kim", password: "a brand new password", address: "a") else {
                Issue.record("the new password does not sign in")
                return
            }
            await #expect(throws: CoreError.notFound) { _ = try await core.locks.issueResetLink(actor: admin, target: 999_999) }
            #expect(try await core.audit.list(actor: admin).map(\.action).contains("account.reset_link"))
        }
    }
}
