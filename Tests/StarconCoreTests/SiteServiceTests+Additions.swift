import Foundation
@testable import StarconCore
import Testing

@Suite("Sites: search, reports, photos, moving and deleting pages, the owner's suspension rule")
struct SiteServiceAdditionTests {
    static func site(_ core: Core, _ name: String = "kcna") async throws -> (Account, Site) {
        let owner = try await SiteServiceTests.account(core, name, kind: .organisation)
        return (owner, try await core.sites.create(actor: nil, name: name, owner: owner, title: "조선중앙통신"))
    }

    static func publish(_ core: Core, _ owner: Account, _ site: Site, _ page: SitePage, _ language: String, _ title: String, _ body: String) async throws {
        try await core.sites.saveDraft(actor: owner, site: site, page: page, language: language, title: title, body: body)
        try await core.sites.publish(actor: owner, site: site, page: page, language: language)
    }

    static func found(_ core: Core, _ text: String, _ languages: [String] = []) async throws -> [SiteSearchHit] {
        try await core.search.sitePages(try #require(SearchQuery(text)), languages: languages)
    }

    @Test(arguments: TestEngine.all)
    func publishedPagesAreFoundInEveryScript(_ engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let admin = try await SiteServiceTests.account(core, "boss", role: .admin)
            let (owner, site) = try await Self.site(core)
            let page = try await core.sites.createPage(actor: owner, site: site, slug: "news/noodles", kind: .article)
            try await Self.publish(core, owner, site, page, "ko", "평양냉면 소식", "오늘 점심은 평양냉면이었습니다.")
            try await Self.publish(core, owner, site, page, "ru", "Холодная лапша", "Сегодня на обед была ХОЛОДНАЯ лапша.")
            try await Self.publish(core, owner, site, page, "zh", "平壤冷面", "今天午饭吃了平壤冷面。")
            try await Self.publish(core, owner, site, page, "ja", "平壌冷麺", "今日の昼ご飯は平壌冷麺でした。")
            try await Self.publish(core, owner, site, page, "en", "Cold noodles", "Lunch today was cold noodles.")
            // A draft is not found.
            let draft = try await core.sites.createPage(actor: owner, site: site, slug: "secret", kind: .page)
            try await core.sites.saveDraft(actor: owner, site: site, page: draft, language: "ko", title: "비밀 초안", body: "평양냉면 초안")

            // Inside a word in Korean, Chinese and Japanese; any case in Russian; one and two characters too.
            for (text, language) in [("냉면이었", "ko"), ("холодная", "ru"), ("冷面", "zh"), ("冷麺", "ja"), ("面", "zh"), ("cold noodles", "en")] {
                let hits = try await Self.found(core, text)
                #expect(hits.map(\.pageID) == [page.id], "\(text)")
                #expect(hits.first?.language == language, "\(text)")
            }
            // When every language matches, the visitor's comes first.
            #expect(try await Self.found(core, "news", []).isEmpty)
            #expect(try await Self.found(core, "평양", ["en"]).first?.language == "ko")
            let hit = try #require(try await Self.found(core, "лапша", ["ko"]).first)
            #expect(hit.siteName == "kcna" && hit.slug == "news/noodles" && hit.title == "Холодная лапша" && hit.excerpt.contains("лапша"))

            // Unpublishing a language takes its text out; the last one takes the page out.
            try await core.sites.unpublish(actor: owner, site: site, page: page, language: "ru")
            #expect(try await Self.found(core, "лапша").isEmpty)
            #expect(try await Self.found(core, "冷麺").count == 1)
            // Taking the site offline hides every page at once; lifting the suspension brings them back.
            _ = try await core.accounts.setSuspended(actor: admin, target: owner.id, suspended: true, reason: "test")
            #expect(try await Self.found(core, "冷麺").isEmpty)
            #expect(try await Self.found(core, "面").isEmpty)
            _ = try await core.accounts.setSuspended(actor: admin, target: owner.id, suspended: false, reason: "")
            #expect(try await Self.found(core, "冷麺").count == 1)
            // Deleting the page removes it.
            let current = try #require(try await core.sites.site(named: "kcna"))
            try await core.sites.deletePage(actor: owner, site: current, page: page)
            #expect(try await Self.found(core, "冷麺").isEmpty)
            #expect(try await Self.found(core, "초안").isEmpty)
        }
    }

    @Test(arguments: TestEngine.all)
    func theOwnerRuleIsTheCoresSuspensionRule(_ engine: TestEngine) async throws {
        let (clock, time) = Clock.manual(startingAt: 1_800_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            let admin = try await SiteServiceTests.account(core, "boss", role: .admin)
            let (owner, site) = try await Self.site(core)
            let page = try await core.sites.createPage(actor: owner, site: site, slug: "", kind: .page)
            try await Self.publish(core, owner, site, page, "ko", "홈", "환영합니다")
            // A timed suspension is offline until lifted, in the Swift rule and in the SQL one alike.
            _ = try await core.accounts.suspend(actor: admin, target: owner.id, reason: "test", days: 1)
            var stored = try #require(try await core.sites.site(named: "kcna"))
            #expect(!core.sites.isOnline(stored) && !Permissions.keepsPublishing(stored.owner, now: clock.nowMilliseconds()))
            #expect(try await core.sites.directory().isEmpty)
            #expect(try await Self.found(core, "환영").isEmpty)
            time.advance(milliseconds: 2 * 86_400_000)
            _ = try await core.accounts.setSuspended(actor: admin, target: owner.id, suspended: false, reason: "")
            stored = try #require(try await core.sites.site(named: "kcna"))
            #expect(core.sites.isOnline(stored))
            #expect(try await core.sites.directory().count == 1)
            #expect(try await Self.found(core, "환영").count == 1)
        }
    }

    @Test(arguments: TestEngine.all)
    func aReportedPageIsTakenDownAndItsOwnerSuspended(_ engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let moderator = try await SiteServiceTests.account(core, "mod", role: .moderator)
            let reader = try await SiteServiceTests.account(core, "reader")
            let (owner, site) = try await Self.site(core)
            let page = try await core.sites.createPage(actor: owner, site: site, slug: "about", kind: .page)
            // Nothing published: nothing to report (as if it did not exist).
            await #expect(throws: CoreError.notFound) {
                try await core.reports.file(reporter: reader, .init(kind: .sitePage, targetID: page.id, category: .spam, comment: ""))
            }
            try await Self.publish(core, owner, site, page, "ko", "소개", "광고 광고 광고")
            await #expect(throws: CoreError.invalid("report_self")) {
                try await core.reports.file(reporter: owner, .init(kind: .sitePage, targetID: page.id, category: .spam, comment: ""))
            }
            let report = try await core.reports.file(reporter: reader, .init(kind: .sitePage, targetID: page.id, category: .spam, comment: "광고"))
            #expect(report.account?.id == owner.id && report.excerpt.hasPrefix("/sites/kcna/about") && report.excerpt.contains("광고 광고"))
            let queued = try await core.reports.list(actor: moderator, state: .open)
            #expect(queued.first?.report.targetKind == .sitePage)
            #expect(queued.first?.permissions.delete == true && queued.first?.permissions.suspend == true)
            // Taking it down unpublishes every language (the draft stays) and takes it out of search.
            try await core.reports.resolve(actor: moderator, reportID: report.id, outcome: .delete)
            let translations = try await core.sites.translations(of: page)
            #expect(translations.count == 1 && !translations[0].isPublished && translations[0].title == "소개")
            #expect(try await core.sites.revisions(of: page, language: "ko").first?.action == .unpublish)
            #expect(try await Self.found(core, "광고").isEmpty)
            // A second report of the page (published again) suspends its owner: the site goes offline.
            try await core.sites.publish(actor: owner, site: site, page: page, language: "ko")
            let second = try await core.reports.file(reporter: reader, .init(kind: .sitePage, targetID: page.id, category: .abuse, comment: ""))
            try await core.reports.resolve(actor: moderator, reportID: second.id, outcome: .suspend, days: 3)
            let offline = try #require(try await core.sites.site(named: "kcna"))
            #expect(!core.sites.isOnline(offline))
            await #expect(throws: CoreError.notFound) {
                try await core.reports.file(reporter: reader, .init(kind: .sitePage, targetID: page.id, category: .spam, comment: ""))
            }
        }
    }

    @Test(arguments: TestEngine.all)
    func photosGoThroughThePipelineAndStayWithThePage(_ engine: TestEngine) async throws {
        let (clock, time) = Clock.manual(startingAt: 1_800_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            let (owner, site) = try await Self.site(core)
            let page = try await core.sites.createPage(actor: owner, site: site, slug: "gallery", kind: .page)
            let saved = try await core.sites.insertPhoto(actor: owner, site: site, page: page, language: "ko", title: "사진", body: "앞글",
                                                         data: DemoPictures.scene(7, width: 64, height: 48), description: "평양 [거리](x)")
            #expect(saved.body.hasPrefix("앞글\n\n![평양 거리x](/media/"))
            let file = try #require(saved.body.split(separator: "(").last.map { String($0.dropFirst("/media/".count).dropLast()) })
            #expect(SiteMarkdown.html(saved.body).contains("<img src=\"/media/\(file)\""))
            // Served to everyone before any post shows it, and not swept as an unattached upload.
            #expect(try await core.media.file(named: file)?.isPublic == true)
            time.advance(milliseconds: 2 * MediaService.unattachedLifetime)
            #expect(try await core.media.sweepOrphans(gracePeriod: 0) == 0)
            #expect(try await core.media.file(named: file) != nil)
            await #expect(throws: CoreError.self) {
                try await core.sites.insertPhoto(actor: owner, site: site, page: page, language: "ko", title: "사진", body: "",
                                                 data: Data("not a picture".utf8), description: "")
            }
            let stranger = try await SiteServiceTests.account(core, "stranger")
            await #expect(throws: CoreError.forbidden) {
                try await core.sites.insertPhoto(actor: stranger, site: site, page: page, language: "ko", title: "x", body: "",
                                                 data: DemoPictures.scene(8, width: 64, height: 48), description: "")
            }
        }
    }

    @Test(arguments: TestEngine.all)
    func pagesMoveInTheMenuTreeAndAreDeleted(_ engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let (owner, site) = try await Self.site(core)
            let stranger = try await SiteServiceTests.account(core, "stranger")
            let about = try await core.sites.createPage(actor: owner, site: site, slug: "about", kind: .page)
            let team = try await core.sites.createPage(actor: owner, site: site, slug: "team", kind: .page)
            let news = try await core.sites.createPage(actor: owner, site: site, slug: "news/one", kind: .article)
            try await Self.publish(core, owner, site, team, "ko", "사람들", "팀")
            try await core.sites.saveDraft(actor: owner, site: site, page: team, language: "en", title: "People", body: "Team")

            let moved = try await core.sites.movePage(actor: owner, site: site, page: team, slug: "about/team", parentID: about.id, position: 2)
            #expect(moved.slug == "about/team" && moved.parentID == about.id && moved.position == 2)
            #expect(try await core.sites.page(of: site, slug: "about/team")?.id == team.id)
            // Every language records the move; the text is unchanged.
            for language in ["ko", "en"] {
                let revision = try #require(try await core.sites.revisions(of: team, language: language).first)
                #expect(revision.action == .move && revision.note.contains("/team → /about/team"))
            }
            #expect(try await core.sites.translations(of: team).first?.publishedTitle == "사람들")
            // Two levels only, no cycles, no articles in the menu, no taken address, no stranger.
            await #expect(throws: CoreError.invalid("site_parent", field: "parent")) {
                try await core.sites.movePage(actor: owner, site: site, page: about, slug: "about", parentID: team.id, position: 0)
            }
            await #expect(throws: CoreError.invalid("site_parent", field: "parent")) {
                try await core.sites.movePage(actor: owner, site: site, page: about, slug: "about", parentID: about.id, position: 0)
            }
            await #expect(throws: CoreError.invalid("site_parent", field: "parent")) {
                try await core.sites.movePage(actor: owner, site: site, page: news, slug: "news/one", parentID: about.id, position: 0)
            }
            await #expect(throws: CoreError(.conflict, "site_slug_taken", field: "slug")) {
                try await core.sites.movePage(actor: owner, site: site, page: news, slug: "about", parentID: nil, position: 0)
            }
            await #expect(throws: CoreError.invalid("site_position", field: "position")) {
                try await core.sites.movePage(actor: owner, site: site, page: news, slug: "news/one", parentID: nil, position: -1)
            }
            await #expect(throws: CoreError.forbidden) {
                try await core.sites.movePage(actor: stranger, site: site, page: news, slug: "x", parentID: nil, position: 0)
            }
            await #expect(throws: CoreError.forbidden) { try await core.sites.deletePage(actor: stranger, site: site, page: about) }

            // Deleting the parent moves its child to the top and keeps an audit row with the titles.
            try await core.sites.saveDraft(actor: owner, site: site, page: about, language: "ko", title: "소개", body: "")
            try await core.sites.deletePage(actor: owner, site: site, page: about)
            #expect(try await core.sites.page(of: site, id: about.id) == nil)
            #expect(try await core.sites.page(of: site, id: team.id)?.parentID == nil)
            #expect(try await core.sites.revisions(of: about, language: "ko").isEmpty)
            let audit = try await core.database.read { db in
                try await db.raw("SELECT detail FROM audit_log WHERE action = 'site.page_delete'").all().map { try $0.decode(column: "detail", as: String.self) }
            }
            #expect(audit == ["ko: 소개"])
            await #expect(throws: CoreError.notFound) { try await core.sites.deletePage(actor: owner, site: site, page: about) }
        }
    }
}
