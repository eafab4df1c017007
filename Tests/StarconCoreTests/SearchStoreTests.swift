import Foundation
@testable import StarconCore
import Testing

@Suite("Network search")
struct SearchStoreTests {
    static func query(_ text: String, limit: Int = 20, offset: Int = 0, maxID: Int64? = nil) -> SearchQuery {
        SearchQuery(text, limit: limit, offset: offset, maxID: maxID)!
    }

    @Test(arguments: TestEngine.all)
    func findsWordsInsideSentencesInEveryScript(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            let texts = ["오늘 점심은 평양냉면이었습니다", "我们今天吃了冷面和饺子", "明日は東京で会議があります",
                         "Завтра будет Собрание в Москве", "The Weather in PYONGYANG is fine"]
            for text in texts { _ = try await core.feed.post(author: lee, .init(text: text)) }
            func found(_ text: String) async throws -> [String] {
                try await core.search.statuses(Self.query(text), viewer: kim).map(\.status.text)
            }
            #expect(try await found("평양냉면") == [texts[0]])
            #expect(try await found("冷面") == [texts[1]], "two characters")
            #expect(try await found("面") == [texts[1]], "one character")
            #expect(try await found("냉") == [texts[0]])
            #expect(try await found("冷面和饺子") == [texts[1]])
            #expect(try await found("東京で会議") == [texts[2]])
            #expect(try await found("СОБРАНИЕ") == [texts[3]], "Cyrillic without case")
            #expect(try await found("москв") == [texts[3]])
            #expect(try await found("pyongyang") == [texts[4]], "Latin without case")
            #expect(try await found("we") == [texts[4]])
            #expect(try await found("100%").isEmpty, "LIKE's wildcards are text")
            #expect(try await found("\"").isEmpty)
            #expect(SearchQuery("   ") == nil)
        }
    }

    @Test(arguments: TestEngine.all)
    func findsPeopleByUsernameAndDisplayNameInAnyScript(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            let ivan = try await core.accounts.create(.init(username: "ivan", displayName: "Иван Петров", password: "correct horse battery"))
            let park = try await core.accounts.create(.init(username: "park", displayName: "박지성", password: "correct horse battery"))
            _ = try await core.accounts.updateProfile(of: park, AccountService.ProfileChange(displayName: "박지성 선수", bio: "", language: nil))
            func names(_ text: String, following: Bool = false) async throws -> [String] {
                try await core.search.accounts(Self.query(text), viewer: kim, following: following).map(\.username)
            }
            #expect(try await names("ПЕТРОВ") == ["ivan"])
            #expect(try await names("иван") == ["ivan"])
            #expect(try await names("박") == ["park"], "one character")
            #expect(try await names("선수") == ["park"], "an edited display name")
            #expect(try await names("@iv") == ["ivan"])
            #expect(try await names("ivan", following: true) == [])
            _ = try await core.relationships.follow(kim, ivan)
            #expect(try await names("ivan", following: true) == ["ivan"])
            _ = try await core.relationships.block(ivan, kim)
            #expect(try await names("ivan") == [], "blocked either way")
        }
    }

    @Test(arguments: TestEngine.all)
    func findsOnlyWhatTheSearcherMaySee(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let admin = try await core.accounts.create({
                var n = AccountService.NewAccount(username: "root", password: "correct horse battery"); n.role = .admin; return n }())
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            let spam = try await TestStore.member(core, "spam"), friend = try await TestStore.member(core, "friend")
            _ = try await core.feed.post(author: lee, .init(text: "냉면 for followers only", visibility: .private))
            _ = try await core.feed.post(author: lee, .init(text: "냉면 direct to @friend", visibility: .direct))
            _ = try await core.feed.post(author: spam, .init(text: "냉면 spam"))
            let mine = try await core.feed.post(author: kim, .init(text: "my own 냉면 note", visibility: .private))
            let edited = try await core.feed.post(author: lee, .init(text: "old words"))
            _ = try await core.accounts.setSuspended(actor: admin, target: spam.id, suspended: true, reason: "spam")
            func found(_ text: String, by viewer: Account) async throws -> [String] {
                try await core.search.statuses(Self.query(text), viewer: viewer).map(\.status.text)
            }
            #expect(try await found("냉면", by: kim) == [mine.status.text], "followers-only of someone not followed, a suspended member's post")
            #expect(try await found("냉면 for", by: kim).isEmpty)
            #expect(try await found("냉면", by: friend) == ["냉면 direct to @friend"], "mentioned in a direct post")
            _ = try await core.relationships.follow(kim, lee)
            #expect(try await found("냉면", by: kim).count == 2, "a follower sees followers-only posts")
            _ = try await core.feed.edit(actor: lee, id: edited.status.id, text: "new words", spoilerText: "")
            #expect(try await found("old words", by: kim).isEmpty)
            #expect(try await found("new words", by: kim).count == 1)
            _ = try await core.feed.delete(actor: lee, id: edited.status.id)
            #expect(try await found("words", by: kim).isEmpty)
        }
    }

    @Test(arguments: TestEngine.all)
    func pagesAreFullAndContinueWhereTheyEnded(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            var visible: [Int64] = []
            for index in 0..<12 {
                // Every other post is followers-only: a filter applied after the query would leave pages short.
                let view = try await core.feed.post(author: lee, .init(text: "평양냉면 \(index)", visibility: index % 2 == 0 ? .public : .private))
                if index % 2 == 0 { visible.insert(view.status.id, at: 0) }
            }
            for text in ["평양냉면", "냉면"] {
                let first = try await core.search.statuses(Self.query(text, limit: 4), viewer: kim).map(\.status.id)
                #expect(first == Array(visible.prefix(4)))
                let second = try await core.search.statuses(Self.query(text, limit: 4, maxID: first.last), viewer: kim).map(\.status.id)
                #expect(second == Array(visible[4..<6]))
                let byOffset = try await core.search.statuses(Self.query(text, limit: 4, offset: 4), viewer: kim).map(\.status.id)
                #expect(byOffset == second)
                var newer = Self.query(text, limit: 2)
                newer.minID = visible[3]
                #expect(try await core.search.statuses(newer, viewer: kim).map(\.status.id) == Array(visible[1...2]))
            }
        }
    }

    @Test(arguments: TestEngine.all)
    func findsArticlesTagsAndOwnMessages(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let admin = try await core.accounts.create({
                var n = AccountService.NewAccount(username: "root", password: "correct horse battery"); n.role = .admin; return n }())
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee"), park = try await TestStore.member(core, "park")
            let group = try await core.news.createGroup(actor: admin, name: "starcon.food")
            _ = try await core.news.post(author: lee, ArticleDraft(newsgroups: [group.name], subject: "Обед", body: "我们今天吃了冷面和饺子"))
            #expect(try await core.search.articles(Self.query("冷面"), viewer: kim).map(\.subject) == ["Обед"])
            #expect(try await core.search.articles(Self.query("ОБЕД"), viewer: kim).map(\.subject) == ["Обед"])
            _ = try await core.feed.post(author: lee, .init(text: "#냉면스타그램 #noodles"))
            _ = try await core.feed.post(author: lee, .init(text: "#secretnoodles", visibility: .private))
            #expect(try await core.search.hashtags(Self.query("#noodle")) == ["noodles"])
            #expect(try await core.search.hashtags(Self.query("냉면")) == ["냉면스타그램"])
            let chat = try await core.messenger.start(creator: kim, usernames: ["lee"])
            _ = try await core.messenger.send(sender: lee, conversationID: chat.conversation.id, text: "Встретимся у Станции")
            #expect(try await core.search.messages(Self.query("станции"), viewer: kim).map(\.text) == ["Встретимся у Станции"])
            #expect(try await core.search.messages(Self.query("станции"), viewer: park).isEmpty, "not one's conversation")
        }
    }

    @Test(arguments: TestEngine.all)
    func migrationIndexesExistingRows(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            let post = try await core.feed.post(author: lee, .init(text: "ПРИВЕТ из Пхеньяна 평양냉면"))
            try await core.database.write { db in
                try await db.raw("DELETE FROM search_documents WHERE kind IN ('post', 'account', 'article')").run()
                try await db.raw("DELETE FROM schema_migrations WHERE version = 120").run()
            }
            #expect(try await core.search.statuses(Self.query("привет"), viewer: kim).isEmpty)
            try await Migrator.migrate(core.database, now: 0)
            #expect(try await core.search.statuses(Self.query("привет"), viewer: kim).map(\.status.id) == [post.status.id])
            #expect(try await core.search.statuses(Self.query("냉면"), viewer: kim).map(\.status.id) == [post.status.id])
            #expect(try await core.search.accounts(Self.query("lee"), viewer: kim).map(\.id) == [lee.id])
        }
    }
}
