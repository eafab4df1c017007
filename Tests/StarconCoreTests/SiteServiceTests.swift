import Foundation
import StarconCore
import Testing

@Suite("Sites: rules, drafts, revisions, scheduled publishing, articles in the feed")
struct SiteServiceTests {
    static func account(_ core: Core, _ name: String, kind: AccountKind = .person, role: Role = .member) async throws -> Account {
        var new = AccountService.NewAccount(username: name, password: "correct horse battery")
        new.kind = kind
        new.role = role
        return try await core.accounts.create(new)
    }

    @Test(arguments: TestEngine.all)
    func whoMayGrantOwnAndEdit(_ engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let admin = try await Self.account(core, "boss", role: .admin)
            let agency = try await Self.account(core, "kcna", kind: .organisation)
            let person = try await Self.account(core, "kim")
            let editor = try await Self.account(core, "lee")
            // Only official, organisation and company accounts own sites; only admins (or the operator) grant them.
            await #expect(throws: CoreError.invalid("site_owner_kind", field: "owner")) {
                try await core.sites.create(actor: admin, name: "kimsite", owner: person)
            }
            await #expect(throws: CoreError.forbidden) { try await core.sites.create(actor: person, name: "kcna", owner: agency) }
            for bad in ["a", "-news", "news-", "News Site", "www", "뉴스", String(repeating: "a", count: 41)] {
                await #expect(throws: CoreError.self) { try await core.sites.create(actor: admin, name: bad, owner: agency) }
            }
            let site = try await core.sites.create(actor: admin, name: "KCNA", owner: agency, title: "조선중앙통신")
            #expect(site.name == "kcna")
            await #expect(throws: CoreError.self) { try await core.sites.create(actor: nil, name: "kcna", owner: agency) }

            // A stranger may neither edit nor name editors; the owner names one, who may then write and publish.
            #expect(try await core.sites.permissions(site, viewer: editor) == .none)
            await #expect(throws: CoreError.forbidden) { try await core.sites.createPage(actor: editor, site: site, slug: "about", kind: .page) }
            await #expect(throws: CoreError.forbidden) { try await core.sites.addEditor(actor: editor, site: site, editor: editor) }
            try await core.sites.addEditor(actor: agency, site: site, editor: editor)
            let permissions = try await core.sites.permissions(site, viewer: editor)
            #expect(permissions.edit && permissions.publish && !permissions.manageEditors)
            await #expect(throws: CoreError.forbidden) { try await core.sites.addEditor(actor: editor, site: site, editor: person) }
            let page = try await core.sites.createPage(actor: editor, site: site, slug: "/About/", kind: .page)
            #expect(page.slug == "about")
            await #expect(throws: CoreError.self) { try await core.sites.createPage(actor: editor, site: site, slug: "about", kind: .page) }
            await #expect(throws: CoreError.self) { try await core.sites.createPage(actor: editor, site: site, slug: "a/../b", kind: .page) }
            try await core.sites.saveDraft(actor: editor, site: site, page: page, language: "ko", title: "소개", body: "본문")
            await #expect(throws: CoreError.self) {
                try await core.sites.saveDraft(actor: editor, site: site, page: page, language: "de", title: "Über", body: "x")
            }
            try await core.sites.removeEditor(actor: agency, site: site, editor: editor)
            await #expect(throws: CoreError.forbidden) {
                try await core.sites.saveDraft(actor: editor, site: site, page: page, language: "ko", title: "소개", body: "바뀐 본문")
            }
            #expect(try await core.sites.sites(of: agency).map(\.name) == ["kcna"])

            // A suspended owner's site is offline: not in the directory, and nobody writes to it.
            try await core.sites.addEditor(actor: nil, site: site, editor: editor)
            _ = try await core.accounts.setSuspended(actor: admin, target: agency.id, suspended: true, reason: "test")
            let offline = try #require(try await core.sites.site(named: "kcna"))
            #expect(!core.sites.isOnline(offline))
            #expect(try await core.sites.directory().isEmpty)
            await #expect(throws: CoreError(.forbidden, "site_offline")) {
                try await core.sites.saveDraft(actor: editor, site: offline, page: page, language: "ko", title: "소개", body: "x")
            }
        }
    }

    @Test(arguments: TestEngine.all)
    func draftsRevisionsAndRestore(_ engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let owner = try await Self.account(core, "ministry", kind: .official)
            let editor = try await Self.account(core, "writer")
            let site = try await core.sites.create(actor: nil, name: "ministry", owner: owner)
            try await core.sites.addEditor(actor: owner, site: site, editor: editor)
            let page = try await core.sites.createPage(actor: owner, site: site, slug: "", kind: .page)
            await #expect(throws: CoreError.self) { try await core.sites.publish(actor: owner, site: site, page: page, language: "ko") }
            try await core.sites.saveDraft(actor: owner, site: site, page: page, language: "ko", title: "첫 판", body: "하나")
            #expect(try await core.sites.translations(of: page).first?.isPublished == false)
            try await core.sites.publish(actor: owner, site: site, page: page, language: "ko")
            try await core.sites.saveDraft(actor: editor, site: site, page: page, language: "ko", title: "둘째 판", body: "둘")
            var ko = try #require(try await core.sites.translations(of: page).first)
            #expect(ko.publishedBody == "하나" && ko.body == "둘" && ko.hasUnpublishedChanges)
            try await core.sites.publish(actor: editor, site: site, page: page, language: "ko")
            try await core.sites.saveDraft(actor: editor, site: site, page: page, language: "ru", title: "Главная", body: "Текст")
            try await core.sites.publish(actor: editor, site: site, page: page, language: "ru")

            let revisions = try await core.sites.revisions(of: page, language: "ko")
            #expect(revisions.map(\.action) == [.publish, .save, .publish, .save])
            #expect(revisions.map(\.accountID) == [editor.id, editor.id, owner.id, owner.id])
            let first = try #require(revisions.last)
            ko = try await core.sites.restore(actor: editor, site: site, page: page, revisionID: first.id)
            #expect(ko.publishedTitle == "첫 판" && ko.publishedBody == "하나" && !ko.hasUnpublishedChanges)
            #expect(try await core.sites.revisions(of: page, language: "ko").first?.action == .restore)
            // Other languages are untouched, and the directory lists the languages published.
            #expect(try await core.sites.translations(of: page).first { $0.language == "ru" }?.publishedBody == "Текст")
            let listed = try await core.sites.directory(kind: .official, language: "ru")
            #expect(listed.map(\.site.name) == ["ministry"] && listed.first?.languages == ["ko", "ru"])
            #expect(try await core.sites.directory(kind: .company).isEmpty)
            #expect(try await core.sites.directory(language: "ja").isEmpty)
        }
    }

    @Test(arguments: TestEngine.all)
    func scheduledArticleReachesFollowersOnce(_ engine: TestEngine) async throws {
        let (clock, time) = Clock.manual(startingAt: 1_800_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            let owner = try await Self.account(core, "agency", kind: .company)
            let reader = try await Self.account(core, "reader")
            _ = try await core.relationships.follow(reader, owner)
            let site = try await core.sites.create(actor: nil, name: "agency", owner: owner)
            let article = try await core.sites.createPage(actor: owner, site: site, slug: "news/first", kind: .article)
            try await core.sites.saveDraft(actor: owner, site: site, page: article, language: "ko", title: "첫 소식", body: "내용")
            let scheduled = try await core.sites.publish(actor: owner, site: site, page: article, language: "ko", at: clock.nowMilliseconds() + 60_000)
            #expect(!scheduled.isPublished && scheduled.publishAt != nil)
            try await core.sites.publishScheduled()
            #expect(try await core.sites.articles(of: site).isEmpty)
            time.advance(milliseconds: 61_000)
            try await core.sites.publishScheduled()
            let articles = try await core.sites.articles(of: site)
            #expect(articles.count == 1 && articles.first?.translations.first?.publishedTitle == "첫 소식")
            // A second language and a republish do not post again.
            try await core.sites.saveDraft(actor: owner, site: site, page: article, language: "en", title: "First news", body: "Text")
            try await core.sites.publish(actor: owner, site: site, page: article, language: "en")
            try await core.sites.publish(actor: owner, site: site, page: article, language: "ko")
            let home = try await core.feed.timeline(.home, viewer: reader, page: PageRequest(limit: 10))
            #expect(home.items.count == 1)
            #expect(home.items.first?.status.author.id == owner.id)
            #expect(home.items.first?.status.text.hasPrefix("첫 소식") == true)
        }
    }
}

@Suite("Sites: Markdown is rendered, HTML never gets through")
struct SiteMarkdownTests {
    @Test func rendersMarkdown() {
        let html = SiteMarkdown.html("# 제목\n\n**굵게** and [link](https://example.org/a?b=1&c=2) and [here](/sites/x/about)\n\n![사진](/media/abc123-large.jpg)")
        #expect(html.contains("<h1>제목</h1>"))
        #expect(html.contains("<strong>굵게</strong>"))
        #expect(html.contains("<a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"nofollow noopener\">link</a>"))
        #expect(html.contains("<a href=\"/sites/x/about\">here</a>"))
        #expect(html.contains("<img src=\"/media/abc123-large.jpg\" alt=\"사진\" loading=\"lazy\">"))
    }

    @Test(arguments: [
        "<script>alert(1)</script>",
        "Hello <script>alert(1)</script> world",
        "<style>body{display:none}</style>",
        "<img src=x onerror=alert(1)>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[x](\"><script>alert(1)</script>)",
        "[x](/a\" onmouseover=\"alert(1))",
        "![x](https://evil.example/track.png)",
        "![x](//evil.example/track.png)",
        "![x\"><script>alert(1)</script>](/media/a.jpg)",
        "![x](/media/../../etc/passwd)",
        "&<script>alert(1)</script>;",
        "&#x3C;script&#x3E;",
        "```\"><script>alert(1)</script>\ncode\n```",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<svg onload=alert(1)>",
        "`<script>`",
        "> <script>alert(1)</script>",
        "- <b onclick=alert(1)>x</b>",
        "<!-- <script>alert(1)</script> -->",
        "[a]: javascript:alert(1)\n\n[x][a]",
        "<p>a</p><script>",
        "\u{E000}<script>",
    ])
    func hostileInputIsEscaped(_ markdown: String) {
        let html = SiteMarkdown.html(markdown)
        // What the browser would read as markup: every tag. Hostile text shown as text is harmless.
        let tags = html.lowercased().matches(of: /<[^>]*>/).map { String($0.output) }
        let allowed: Set<String> = ["p", "h1", "code", "pre", "blockquote", "ul", "li", "a", "img", "span", "strong", "em"]
        for tag in tags {
            let name = tag.dropFirst().drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }
            #expect(allowed.contains(String(name)), "\(tag) in \(html)")
            #expect(!tag.contains(" on") && !tag.contains("javascript") && !tag.contains("style") && !tag.contains("evil"), "\(tag) in \(html)")
            if name == "img" { #expect(tag.hasPrefix("<img src=\"/media/a.jpg\""), "\(tag)") }
        }
    }

    @Test func codeKeepsItsCharacters() {
        let html = SiteMarkdown.html("```swift\nlet a = b && c < d\n```")
        #expect(html == "<pre><code>let a = b &amp;&amp; c &lt; d\n</code></pre>" || html.contains("b &amp;&amp; c &lt; d"))
    }
}
