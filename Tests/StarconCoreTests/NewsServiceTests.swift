@testable import StarconCore
import StarconMIME
import Testing

@Suite("Newsgroups store")
struct NewsServiceTests {
    static let password = "correct horse battery"

    static func member(_ core: Core, _ name: String, role: Role = .member) async throws -> Account {
        var new = AccountService.NewAccount(username: name, displayName: name.capitalized, password: password)
        new.role = role
        return try await core.accounts.create(new)
    }

    @Test(arguments: TestEngine.all)
    func numbersAreAssignedPerGroupAndNeverReused(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await Self.member(core, "kim")
            let admin = try await Self.member(core, "root", role: .admin)
            _ = try await core.news.createGroup(actor: admin, name: "starcon.general", description: "General")
            _ = try await core.news.createGroup(actor: nil, name: "campus.sports")
            let first = try await core.news.post(author: kim, .init(newsgroups: ["starcon.general"], subject: "one", body: "1"))
            let cross = try await core.news.post(author: kim, .init(newsgroups: ["starcon.general", "Campus.Sports"], subject: "both", body: "2"))
            let xref = try await core.news.xref(articleID: cross.article.id)
            #expect(xref.map { "\($0.group):\($0.number)" } == ["campus.sports:1", "starcon.general:2"])
            try await core.news.cancel(actor: kim, articleID: cross.article.id)
            let third = try await core.news.post(author: kim, .init(newsgroups: ["starcon.general"], subject: "three", body: "3"))
            #expect(try await core.news.xref(articleID: third.article.id).first?.number == 3)
            let general = try #require(try await core.news.group(named: "starcon.general"))
            #expect(general.low == 1 && general.high == 3 && general.articleCount == 2)
            #expect(try await core.news.numbers(in: general, from: 1, to: 10, limit: 10) == [1, 3])
            let sports = try #require(try await core.news.group(named: "campus.sports"))
            #expect(sports.articleCount == 0 && sports.low == sports.high + 1)
            #expect(first.article.messageID.hasSuffix("@starcon.local>"))
        }
    }

    @Test(arguments: TestEngine.all)
    func overviewComesFromColumnsAndMatchesTheWireForm(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let ivan = try await core.accounts.create(.init(username: "ivan", displayName: "Иван", password: Self.password))
            let group = try await core.news.createGroup(actor: nil, name: "ru.talk")
            let posted = try await core.news.post(author: ivan, .init(
                newsgroups: ["ru.talk"], subject: "Привет всем", body: "строка 1\r\nстрока 2\n\n", extraHeaders: ["User-Agent: test"]))
            let entry = try #require(try await core.news.overview(in: group, from: 1, to: 1, limit: 10).first)
            #expect(entry.lines == 2 && entry.subject == "Привет всем")
            let numbered = try #require(try await core.news.article(in: group, number: 1))
            let wire = ArticleFormatter.headers(numbered.article, xref: numbered.xref, domain: "starcon.local") + [""]
                + ArticleFormatter.bodyLines(numbered.article)
            #expect(entry.bytes == wire.reduce(0) { $0 + $1.utf8.count + 2 })
            #expect(wire.contains("Xref: starcon.local ru.talk:1"))
            #expect(wire.contains { $0.hasPrefix("From: =?utf-8?B?") && $0.hasSuffix("<ivan@starcon.local>") })
            #expect(wire.contains("User-Agent: test"))
            #expect(posted.article.body == "строка 1\nстрока 2")
        }
    }

    @Test(arguments: TestEngine.all)
    func overviewLinesAreStoredAtPublishingAndFilledForOlderRows(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await Self.member(core, "kim")
            let general = try await core.news.createGroup(actor: nil, name: "starcon.general")
            let sports = try await core.news.createGroup(actor: nil, name: "campus.sports")
            _ = try await core.news.post(author: kim, .init(newsgroups: ["starcon.general"], subject: "tab\there", body: "1"))
            let cross = try await core.news.post(author: kim, .init(newsgroups: ["starcon.general", "campus.sports"], subject: "오늘 점심", body: "a\nb"))
            let lines = try await core.news.overviewLines(in: general, from: 1, to: 10, limit: 10)
            #expect(lines.count == 2)
            let fields = lines[1].split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            #expect(fields.count == 9 && fields[0] == "2" && fields[1] == EncodedWords.encode("오늘 점심"))
            #expect(fields[4] == cross.article.messageID && fields[7] == "2")
            #expect(fields[8] == "Xref: starcon.local campus.sports:1 starcon.general:2")
            #expect(lines[0].split(separator: "\t", omittingEmptySubsequences: false).count == 9)  // no tab from the subject
            // The same fields in the other group, after its own number; and by message-id, after 0.
            #expect(try await core.news.overviewLines(in: sports, from: 1, to: 1, limit: 1) == ["1" + lines[1].dropFirst(1)])
            #expect(try await core.news.overviewLine(messageID: cross.article.messageID) == "0" + lines[1].dropFirst(1))
            #expect(try await core.news.overviewLine(messageID: "<nobody@x>") == nil)
            // A row published before the column existed reads the same, and is filled for good.
            try await core.database.write { db in try await db.raw("UPDATE group_articles SET overview = NULL").run() }
            #expect(try await core.news.overviewLines(in: general, from: 1, to: 10, limit: 10) == lines)
            try await core.news.fillMissingOverviews(batch: 1)
            let missing = try await core.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM group_articles WHERE overview IS NULL").first()!.decode(column: "n", as: Int.self)
            }
            #expect(missing == 0)
            #expect(try await core.news.overviewLines(in: general, from: 1, to: 10, limit: 10) == lines)
        }
    }

    @Test(arguments: TestEngine.all)
    func overviewInChunksReadsTheWholeRangeAcrossHoles(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await Self.member(core, "kim")
            let general = try await core.news.createGroup(actor: nil, name: "starcon.general")
            var ids: [Int64] = []
            for n in 1...7 {
                ids.append(try await core.news.post(author: kim, .init(newsgroups: ["starcon.general"], subject: "n\(n)", body: "\(n)")).article.id)
            }
            try await core.news.cancel(actor: kim, articleID: ids[3])
            let whole = try await core.news.overviewLines(in: general, from: 1, to: 100, limit: 100)
            let numbers = { (lines: [String]) in lines.map { $0.prefix { $0 != "\t" } } }
            #expect(numbers(whole) == ["1", "2", "3", "5", "6", "7"])
            for chunk in 1...4 {
                #expect(try await core.news.overviewLines(in: general, from: 1, to: 100, limit: 100, chunk: chunk) == whole)
                #expect(numbers(try await core.news.overviewLines(in: general, from: 2, to: 6, limit: 100, chunk: chunk)) == ["2", "3", "5", "6"])
                #expect(numbers(try await core.news.overviewLines(in: general, from: 1, to: 100, limit: 4, chunk: chunk)) == ["1", "2", "3", "5"])
            }
            #expect(try await core.news.overviewLines(in: general, from: 8, to: 100, limit: 100, chunk: 2).isEmpty)
        }
    }

    @Test(arguments: TestEngine.all)
    func repliesJoinTheirThread(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let a = try await Self.member(core, "alice")
            let group = try await core.news.createGroup(actor: nil, name: "starcon.general")
            let root = try await core.news.post(author: a, .init(newsgroups: ["starcon.general"], subject: "Lunch?", body: "Where?"))
            let reply = try await core.news.post(author: a, .init(newsgroups: ["starcon.general"], subject: "Re: Lunch?", body: "Here",
                                                                   references: [root.article.messageID]))
            let nested = try await core.news.post(author: a, .init(newsgroups: ["starcon.general"], subject: "Re: Lunch?", body: "Ok",
                                                                    references: ["<unknown@x>", root.article.messageID, reply.article.messageID]))
            #expect(reply.article.threadID == root.article.id && reply.article.parentID == root.article.id)
            #expect(nested.article.parentID == reply.article.id)
            let threads = try await core.news.threads(in: group, for: a)
            #expect(threads.count == 1 && threads[0].articleCount == 3 && threads[0].unread == 3 && threads[0].subject == "Lunch?")
            try await core.news.markRead(a, articleIDs: [root.article.id])
            #expect(try await core.news.threads(in: group, for: a)[0].unread == 2)
            try await core.news.markGroupRead(a, group: group)
            #expect(try await core.news.summaries(for: a).first?.unread == 0)
            #expect(try await core.news.thread(root.article.id, in: group).map(\.number) == [1, 2, 3])
        }
    }

    @Test(arguments: TestEngine.all)
    func postingRightsModerationAndCancellation(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let member = try await Self.member(core, "member")
            let other = try await Self.member(core, "other")
            let groupModerator = try await Self.member(core, "groupmod")
            let staff = try await Self.member(core, "staff", role: .moderator)
            let official = try await core.news.createGroup(actor: staff, name: "health.notices", posting: .readonly)
            let moderated = try await core.news.createGroup(actor: staff, name: "starcon.announce", posting: .moderated)
            _ = try await core.news.updateGroup(actor: staff, name: moderated.name, description: "", posting: .moderated, moderators: ["groupmod"])

            await #expect(throws: CoreError(.forbidden, "group_readonly")) {
                _ = try await core.news.post(author: member, .init(newsgroups: [official.name], subject: "x", body: "y"))
            }
            guard case .published = try await core.news.post(author: staff, .init(newsgroups: [official.name], subject: "Notice", body: "Wash hands")) else {
                Issue.record("staff post to a read-only group was not published")
                return
            }
            let queued = try await core.news.post(author: member, .init(newsgroups: [moderated.name], subject: "Please", body: "approve"))
            guard case .queued(let pending) = queued else { Issue.record("not queued"); return }
            #expect(try await core.news.group(named: moderated.name)?.articleCount == 0)
            #expect(try await core.news.article(messageID: pending.messageID) == nil)
            await #expect(throws: CoreError.forbidden) { _ = try await core.news.pending(actor: other, in: moderated) }
            #expect(try await core.news.pending(actor: groupModerator, in: moderated).map(\.id) == [pending.id])
            _ = try await core.news.decide(actor: groupModerator, articleID: pending.id, approve: true)
            #expect(try await core.news.group(named: moderated.name)?.articleCount == 1)

            let mine = try await core.news.post(author: member, .init(newsgroups: [moderated.name], subject: "mine", body: "text"))
            _ = try await core.news.decide(actor: staff, articleID: mine.article.id, approve: true)
            await #expect(throws: CoreError.forbidden) { try await core.news.cancel(actor: other, articleID: mine.article.id) }
            try await core.news.cancel(actor: groupModerator, articleID: mine.article.id)
            await #expect(throws: CoreError.notFound) { try await core.news.cancel(actor: member, articleID: mine.article.id) }
            let log = try await core.audit.list(actor: staff)
            #expect(log.contains { $0.action == "article.cancel" } && log.contains { $0.action == "article.approve" })
        }
    }

    /// Moderating one group gives no say over another: a crosspost to two moderated groups waits for each
    /// group's own moderator, appears nowhere until both approved, then everywhere at once. Queues match
    /// group names exactly (`_` is not a wildcard).
    @Test(arguments: TestEngine.all)
    func crosspostsNeedEveryModeratedGroupsApproval(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let staff = try await Self.member(core, "staff", role: .moderator)
            let modA = try await Self.member(core, "moda")
            let modB = try await Self.member(core, "modb")
            let author = try await Self.member(core, "author")
            let a = try await core.news.createGroup(actor: staff, name: "sec_x", posting: .moderated)
            let b = try await core.news.createGroup(actor: staff, name: "secax", posting: .moderated)
            let open = try await core.news.createGroup(actor: staff, name: "sec.open")
            _ = try await core.news.updateGroup(actor: staff, name: a.name, description: "", posting: .moderated, moderators: ["moda"])
            _ = try await core.news.updateGroup(actor: staff, name: b.name, description: "", posting: .moderated, moderators: ["modb"])

            // modA moderates sec_x only: their crosspost waits for secax, and approving it in sec_x does not publish it.
            let own = try await core.news.post(author: modA, .init(newsgroups: [a.name, b.name, open.name], subject: "Sneak", body: "in"))
            guard case .queued(let sneak) = own else { Issue.record("a crosspost into secax was published at once"); return }
            #expect(try await core.news.pending(actor: modA, in: a).isEmpty, "sec_x's own moderator approved it by posting")
            await #expect(throws: CoreError.forbidden) { _ = try await core.news.decide(actor: modA, articleID: sneak.id, approve: true) }
            #expect(try await core.news.article(messageID: sneak.messageID) == nil)

            // A member's crosspost: each moderator sees it in their own queue only, and approves for their group.
            let queued = try await core.news.post(author: author, .init(newsgroups: [a.name, b.name], subject: "Both", body: "please"))
            let both = queued.article
            #expect(try await core.news.pending(actor: modA, in: a).map(\.id) == [both.id])
            #expect(try await core.news.pending(actor: modB, in: b).map(\.id) == [sneak.id, both.id])
            let onlyB = try await core.news.post(author: author, .init(newsgroups: [b.name], subject: "Only secax", body: "text"))
            #expect(!(try await core.news.pending(actor: modA, in: a).map(\.id).contains(onlyB.article.id)), "sec_x's queue showed secax's article")
            await #expect(throws: CoreError.forbidden) { _ = try await core.news.pending(actor: modA, in: b) }

            let half = try await core.news.decide(actor: modA, articleID: both.id, approve: true)
            #expect(half.status == .pending)
            #expect(try await core.news.pending(actor: modA, in: a).isEmpty)
            #expect(try await core.news.article(messageID: both.messageID) == nil)
            #expect(try await core.news.group(named: a.name)?.articleCount == 0)
            let done = try await core.news.decide(actor: modB, articleID: both.id, approve: true)
            #expect(done.status == .published)
            #expect(try await core.news.group(named: a.name)?.articleCount == 1)
            #expect(try await core.news.group(named: b.name)?.articleCount == 1)

            // One group's rejection rejects the crosspost; staff approve for every group at once.
            let rejected = try await core.news.decide(actor: modB, articleID: sneak.id, approve: false)
            #expect(rejected.status == .rejected)
            let third = try await core.news.post(author: author, .init(newsgroups: [a.name, b.name], subject: "Staff", body: "ok"))
            #expect(try await core.news.decide(actor: staff, articleID: third.article.id, approve: true).status == .published)
        }
    }

    @Test(arguments: TestEngine.all)
    func badPostsChangeNothing(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let member = try await Self.member(core, "poster")
            let admin = try await Self.member(core, "admin", role: .admin)
            _ = try await core.news.createGroup(actor: nil, name: "a.b")
            let cases: [(ArticleDraft, String)] = [
                (.init(newsgroups: [], subject: "s", body: "b"), "groups_missing"),
                (.init(newsgroups: ["no.such"], subject: "s", body: "b"), "group_unknown"),
                (.init(newsgroups: ["a.b"], subject: "  ", body: "b"), "subject_empty"),
                (.init(newsgroups: ["a.b"], subject: "s", body: " \n "), "body_empty"),
                (.init(newsgroups: ["a.b"], subject: String(repeating: "s", count: 301), body: "b"), "subject_long"),
                (.init(newsgroups: ["a.b"], subject: "s", body: String(repeating: "가", count: 200_000)), "body_long"),
                (.init(newsgroups: ["a.b"], subject: "s", body: "b", messageID: "not-an-id"), "message_id_invalid"),
            ]
            for (draft, key) in cases {
                do {
                    _ = try await core.news.post(author: member, draft)
                    Issue.record("accepted a post that should fail with \(key)")
                } catch let error as CoreError {
                    #expect(error.key == key)
                }
            }
            _ = try await core.news.post(author: member, .init(newsgroups: ["a.b"], subject: "s", body: "b", messageID: "<fixed@client>"))
            await #expect(throws: CoreError(.conflict, "message_id_taken", field: "message_id")) {
                _ = try await core.news.post(author: member, .init(newsgroups: ["a.b"], subject: "s", body: "b", messageID: "<fixed@client>"))
            }
            _ = try await core.accounts.setSuspended(actor: admin, target: member.id, suspended: true, reason: "spam")
            let suspended = try #require(try await core.accounts.find(id: member.id))
            await #expect(throws: CoreError(.forbidden, "account_suspended")) {
                _ = try await core.news.post(author: suspended, .init(newsgroups: ["a.b"], subject: "s", body: "b"))
            }
            #expect(try await core.news.group(named: "a.b")?.articleCount == 1)
            await #expect(throws: CoreError.invalid("group_name", field: "name")) { _ = try await core.news.createGroup(actor: nil, name: "Bad Name") }
            await #expect(throws: CoreError.forbidden) { _ = try await core.news.createGroup(actor: member, name: "x.y") }
            await #expect(throws: CoreError(.conflict, "group_exists", field: "name")) { _ = try await core.news.createGroup(actor: nil, name: "A.B") }
        }
    }
}

@Suite("Article bodies")
struct ArticleBodyTests {
    @Test(arguments: [
        ("안녕하세요\nПривет\n\n\n", "안녕하세요\nПривет"),
        ("line\r\nnext\rlast\r\n", "line\nnext\nlast"),
        ("tab\tkept\u{0007}bell\u{007F}del\u{0085}nel\u{009F}end", "tab\tkeptbelldelnelend"),
        ("Ÿ¡ kept: C2 A1 and C5 B8 are not controls", "Ÿ¡ kept: C2 A1 and C5 B8 are not controls"),
        ("\n\n", ""),
    ])
    func bodiesAreCleaned(input: String, expected: String) {
        #expect(NewsService.cleanBody(input) == expected)
    }

    @Test func linesAreCounted() {
        #expect(NewsService.lineCount("") == 0)
        #expect(NewsService.lineCount("one") == 1)
        #expect(NewsService.lineCount("one\n\nthree") == 3)
    }
}
