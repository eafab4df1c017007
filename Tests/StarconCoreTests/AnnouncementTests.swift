import Foundation
@testable import StarconCore
import Testing

@Suite("Announcements")
struct AnnouncementTests {
    static func account(_ core: Core, _ name: String, role: Role = .member, language: String? = nil) async throws -> Account {
        var new = AccountService.NewAccount(username: name, password: "correct horse battery")
        new.role = role
        new.language = language
        return try await core.accounts.create(new)
    }

    @Test func languageFallsBackToEnglishThenTheFirstWritten() {
        let both = Announcement(id: 1, authorID: 1, severity: .info, createdAt: 0, expiresAt: nil, endedAt: nil,
                                texts: ["en": "Water off", "ko": "단수"])
        #expect(both.text(for: "ko") == ("ko", "단수"))
        #expect(both.text(for: "ru") == ("en", "Water off"))
        #expect(both.text(for: nil) == ("en", "Water off"))
        let noEnglish = Announcement(id: 2, authorID: 1, severity: .info, createdAt: 0, expiresAt: nil, endedAt: nil,
                                     texts: ["ja": "断水", "zh": "停水"])
        #expect(noEnglish.text(for: "ru") == ("zh", "停水"), "after English, the UI's language order: en, ko, ru, zh, ja")
        #expect(noEnglish.text(for: "ja") == ("ja", "断水"))
    }

    @Test func textsAreValidatedOnce() throws {
        #expect(throws: CoreError.invalid("announcement_empty", field: "text")) { try AnnouncementRules.validate(texts: ["en": "  \n "], expiresInHours: nil) }
        #expect(throws: CoreError.invalid("announcement_language", field: "language")) { try AnnouncementRules.validate(texts: ["fr": "Eau"], expiresInHours: nil) }
        #expect(throws: CoreError.invalid("announcement_too_long", field: "text")) {
            try AnnouncementRules.validate(texts: ["en": String(repeating: "a", count: 2_001)], expiresInHours: nil)
        }
        #expect(throws: CoreError.invalid("announcement_expiry", field: "expires")) { try AnnouncementRules.validate(texts: ["en": "x"], expiresInHours: 0) }
        #expect(try AnnouncementRules.validate(texts: ["en": " Hi\u{7} ", "ko": ""], expiresInHours: 5) == ["en": "Hi"], "empty ones dropped")
    }

    @Test(arguments: TestEngine.all)
    func onlyActiveAdminsAnnounceAndEachReaderGetsTheirLanguage(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let root = try await Self.account(core, "root", role: .admin)
            let mod = try await Self.account(core, "mod", role: .moderator)
            let kim = try await Self.account(core, "kim", language: "ko"), olga = try await Self.account(core, "olga", language: "ru")
            await #expect(throws: CoreError.forbidden) { try await core.announcements.create(actor: mod, texts: ["en": "x"], severity: .info) }
            await #expect(throws: CoreError.forbidden) { try await core.announcements.create(actor: kim, texts: ["en": "x"], severity: .info) }
            #expect(try await core.announcements.live().isEmpty, "a refused announcement leaves nothing")
            let recording = core.events.record(accountID: kim.id)
            let made = try await core.announcements.create(actor: root, texts: ["en": "Water off", "ko": "단수"], severity: .warning, expiresInHours: 2)
            #expect(try await core.announcements.views(for: kim, language: kim.language).map(\.text) == ["단수"])
            #expect(try await core.announcements.views(for: olga, language: olga.language).map(\.text) == ["Water off"])
            #expect(try await core.announcements.views(for: nil, language: "ko").map { [$0.text, String($0.mayDismiss)] } == [["단수", "true"]])
            // A visitor's dismissals come from their browser: only ids, only live ones kept.
            #expect(try await core.announcements.views(for: nil, language: "ko", visitorDismissed: [made.id]).isEmpty)
            #expect(AnnouncementService.visitorDismissals("\(made.id).x.-3..99999999999999999999.<b>") == [made.id])
            #expect(AnnouncementService.visitorDismissals(String(repeating: "1.", count: 5_000)).isEmpty, "an oversized value is ignored")
            #expect(try await core.announcements.dismissForVisitor(made.id, already: [7, 8]) == String(made.id), "ended or unknown ids drop out")
            await #expect(throws: CoreError.notFound) { try await core.announcements.dismissForVisitor(12345, already: []) }
            // The event is in the log, for every member (audience everyone).
            let stored = try await core.database.read { db in
                try await db.raw("SELECT kind, audience, body FROM events ORDER BY seq DESC LIMIT 1").first()
            }
            #expect(try stored?.decode(column: "kind", as: String.self) == "announcement")
            #expect(try stored?.decode(column: "body", as: String.self) == String(made.id))
            recording.cancel()
        }
    }

    @Test(arguments: TestEngine.all)
    func dismissalIsPerMemberAndExpiryEndsIt(engine: TestEngine) async throws {
        let (clock, time) = Clock.manual(startingAt: 1_800_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            let root = try await Self.account(core, "root", role: .admin)
            let kim = try await Self.account(core, "kim"), lee = try await Self.account(core, "lee")
            let made = try await core.announcements.create(actor: root, texts: ["en": "Drill at noon"], severity: .alert, expiresInHours: 1)
            try await core.announcements.dismiss(made.id, by: kim)
            try await core.announcements.dismiss(made.id, by: kim)  // twice is once
            #expect(try await core.announcements.views(for: kim, language: "en").isEmpty)
            let api = try await core.announcements.views(for: kim, language: "en", includeDismissed: true)
            #expect(api.count == 1 && api[0].dismissed && !api[0].mayDismiss, "the API lists it as read")
            #expect(try await core.announcements.views(for: lee, language: "en").map(\.mayDismiss) == [true])
            await #expect(throws: CoreError.notFound) { try await core.announcements.dismiss(12345, by: lee) }

            time.advance(milliseconds: 3_600_000)
            #expect(try await core.announcements.views(for: lee, language: "en").isEmpty, "expired: shown to no one")
            await #expect(throws: CoreError.notFound) { try await core.announcements.dismiss(made.id, by: lee) }
            try await core.announcements.deliverPending()
            let ended = try await core.announcements.all(actor: root)
            #expect(ended.first?.endedAt == made.expiresAt, "the job ends it at its expiry (and tells open pages)")
        }
    }

    @Test(arguments: TestEngine.all)
    func endingRemovesItAndOnlyOnce(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let root = try await Self.account(core, "root", role: .admin)
            let kim = try await Self.account(core, "kim")
            let made = try await core.announcements.create(actor: root, texts: ["ja": "お知らせ"], severity: .info)
            #expect(try await core.announcements.views(for: kim, language: "en").map(\.text) == ["お知らせ"], "no English: the one written")
            await #expect(throws: CoreError.forbidden) { try await core.announcements.end(actor: kim, id: made.id) }
            try await core.announcements.end(actor: root, id: made.id)
            #expect(try await core.announcements.views(for: kim, language: "en").isEmpty)
            await #expect(throws: CoreError.notFound) { try await core.announcements.end(actor: root, id: made.id) }
        }
    }

    @Test(arguments: TestEngine.all)
    func theJobPostsTheArticleOnceAndMailsEveryMemberInTheirLanguage(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let root = try await Self.account(core, "root", role: .admin)
            var members: [Account] = []
            for index in 0..<(AnnouncementService.mailBatch + 5) {
                members.append(try await Self.account(core, "m\(index)", language: index % 2 == 0 ? "ko" : nil))
            }
            let made = try await core.announcements.create(actor: root, texts: ["en": "Water off", "ko": "단수 안내"], severity: .warning)
            try await core.announcements.deliverPending()
            try await core.announcements.deliverPending()  // again: nothing twice
            let group = try #require(try await core.news.group(named: AnnouncementService.newsgroup))
            #expect(group.posting == .readonly && group.articleCount == 1)
            let article = try #require(try await core.news.article(messageID: "<announcement-\(made.id)@starcon.local>"))
            #expect(article.body.contains("[en]\nWater off") && article.body.contains("[ko]\n단수 안내"))
            for member in [members[0], members[1], members.last!, root] {
                let inbox = try await MailSubmissionTests.inbox(core, member)
                #expect(inbox.count == 1, "\(member.username) has it once")
                let korean = member.language == "ko"
                #expect(inbox.first?.contains("Content-Language: \(korean ? "ko" : "en")") == true)
            }
        }
    }

    @Test(arguments: TestEngine.all)
    func aMemberWhoJoinsLaterGetsTheLiveOnesInTheirInboxOnce(engine: TestEngine) async throws {
        let (clock, time) = Clock.manual(startingAt: 1_800_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            let root = try await Self.account(core, "root", role: .admin)
            let live = try await core.announcements.create(actor: root, texts: ["en": "Water off", "ko": "단수 안내"], severity: .warning)
            let ended = try await core.announcements.create(actor: root, texts: ["en": "Old news"], severity: .info)
            try await core.announcements.end(actor: root, id: ended.id)
            _ = try await core.announcements.create(actor: root, texts: ["en": "Short"], severity: .info, expiresInHours: 1)
            try await core.announcements.deliverPending()
            time.advance(milliseconds: 3_600_000)
            let kim = try await Self.account(core, "kim", language: "ko")
            try await core.announcements.deliverPending()  // the job does not mail her a second time
            let inbox = try await MailSubmissionTests.inbox(core, kim)
            #expect(inbox.count == 1, "only the live one, once")
            #expect(inbox.first?.contains("X-Starcon-Announcement: \(live.id);") == true)
            #expect(inbox.first?.contains("Content-Language: ko") == true)

            // A registration awaiting approval gets it when an admin approves it (pending, no mail).
            try await core.registration.setMode(actor: root, .approval)
            let pending = try await core.registration.register(.init(username: "newt", displayName: "Newt", password: "correct horse battery", invitationCode: nil))
            try await core.announcements.deliverPending()
            let approved = try await core.registration.decide(actor: root, accountID: pending.id, approve: true)
            #expect(try await MailSubmissionTests.inbox(core, approved).count == 1)
        }
    }

    @Test(arguments: TestEngine.all)
    func dashboardCountsTodayAndEveryKind(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await Self.account(core, "kim")
            _ = try await core.sessions.start(for: kim, userAgent: "test", address: "127.0.0.1")
            let stats = try await core.dashboard.snapshot()
            #expect(stats.days.count == DashboardStats.days)
            #expect(stats.days.last?.signUps == 1 && stats.days.last?.activeMembers == 1)
            #expect(stats.membersByKind.first { $0.kind == .person }?.count == 1)
            #expect(stats.membersByKind.count == AccountKind.allCases.count && stats.databaseBytes > 0)
        }
    }
}
