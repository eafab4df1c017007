import Foundation
@testable import StarconCore
import Testing

/// What the web's People pages and notification bell ask of the core: the directory by kind, name search
/// by kind, and a bell that counts only what the member has not seen.
@Suite("People and the notification bell")
struct PeopleTests {
    @Test(arguments: TestEngine.all)
    func directoryAndNameSearchFilterByKind(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let admin = try await core.accounts.create({
                var new = AccountService.NewAccount(username: "admin", password: "correct horse battery")
                new.role = .admin
                return new
            }())
            let kim = try await TestStore.member(core, "kim")
            var office = AccountService.NewAccount(username: "office", displayName: "평양시 인민위원회", password: "correct horse battery")
            office.kind = .official
            _ = try await core.accounts.create(office)
            #expect(try await core.stats.directory(newest: true, kind: .official, limit: 10, offset: 0).map(\.username) == ["office"])
            #expect(Set(try await core.stats.directory(newest: true, kind: .person, limit: 10, offset: 0).map(\.username)) == ["admin", "kim"])
            let query = SearchQuery("평양", limit: 10)!
            #expect(try await core.search.accounts(query, viewer: kim, kind: .official).map(\.username) == ["office"])
            #expect(try await core.search.accounts(query, viewer: kim, kind: .person).isEmpty)
            _ = admin
        }
    }

    @Test(arguments: TestEngine.all)
    func theBellCountsWhatIsNotSeenYetAndReadStaysSeparate(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            let post = try await core.feed.post(author: kim, .init(text: "점심"))
            _ = try await core.feed.add(.favourite, by: lee, statusID: post.status.id)
            #expect(try await core.notifications.unseenCount(for: kim) == 1)
            let newest = try await core.notifications.list(for: kim).map(\.id).max()!
            try await core.notifications.markSeen(upTo: newest, for: kim)
            #expect(try await core.notifications.unseenCount(for: kim) == 0, "seen on the notifications page")
            #expect(try await core.notifications.unreadCount(for: kim) == 1, "still unread until marked")
            _ = try await core.feed.reblog(by: lee, statusID: post.status.id)
            #expect(try await core.notifications.unseenCount(for: kim) == 1)
            try await core.notifications.markAllRead(for: kim)
            #expect(try await core.notifications.unseenCount(for: kim) == 0)
            #expect(try await core.notifications.unreadCount(for: kim) == 0)
        }
    }
}
