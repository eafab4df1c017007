@testable import StarconCore
import Testing

@Suite("Feed store")
struct FeedServiceTests {
    @Test(arguments: TestEngine.all)
    func homeTimelineShowsFollowedMembersNewestFirstWithKeysetPages(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee"), park = try await TestStore.member(core, "park")
            _ = try await core.relationships.follow(kim, lee)
            var posted: [Int64] = []
            for n in 1...5 { posted.append(try await core.feed.post(author: lee, .init(text: "lee \(n)")).status.id) }
            _ = try await core.feed.post(author: park, .init(text: "not followed"))
            let own = try await core.feed.post(author: kim, .init(text: "mine")).status.id
            let first = try await core.feed.timeline(.home, viewer: kim, page: PageRequest(limit: 3))
            #expect(first.items.map(\.status.id) == [own, posted[4], posted[3]])
            let second = try await core.feed.timeline(.home, viewer: kim, page: PageRequest(maxID: first.oldestCursor, limit: 3))
            #expect(second.items.map(\.status.id) == [posted[2], posted[1], posted[0]])
            let newer = try await core.feed.timeline(.home, viewer: kim, page: PageRequest(minID: posted[1], limit: 2))
            #expect(newer.items.map(\.status.id) == [posted[3], posted[2]], "min_id: the ones just after it, newest first")
            let network = try await core.feed.timeline(.network, viewer: kim)
            #expect(network.items.count == 7)
        }
    }

    @Test(arguments: TestEngine.all)
    func aPageStaysFullWhenManyOfItsStatusesAreHidden(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee"), park = try await TestStore.member(core, "park")
            _ = try await core.relationships.follow(kim, lee)
            _ = try await core.relationships.follow(kim, park)
            var lees: [Int64] = []
            for n in 1...8 { lees.append(try await core.feed.post(author: lee, .init(text: "lee \(n)")).status.id) }
            for n in 1...6 { _ = try await core.feed.post(author: park, .init(text: "park \(n)")) }  // the newest: all muted
            _ = try await core.relationships.mute(kim, park)
            let page = try await core.feed.timeline(.home, viewer: kim, page: PageRequest(limit: 5))
            #expect(page.items.map(\.status.id) == Array(lees.reversed().prefix(5)))
            let rest = try await core.feed.timeline(.home, viewer: kim, page: PageRequest(maxID: page.oldestCursor, limit: 5))
            #expect(rest.items.map(\.status.id) == Array(lees.reversed().dropFirst(5)))
        }
    }

    @Test(arguments: TestEngine.all)
    func visibilityFollowersOnlyAndDirect(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee"), park = try await TestStore.member(core, "park")
            _ = try await core.relationships.follow(kim, lee)
            let followers = try await core.feed.post(author: lee, .init(text: "for followers", visibility: .private))
            let direct = try await core.feed.post(author: lee, .init(text: "hi @park", visibility: .direct))
            #expect(try await core.feed.view(id: followers.status.id, viewer: kim) != nil)
            #expect(try await core.feed.view(id: followers.status.id, viewer: park) == nil)
            #expect(try await core.feed.view(id: direct.status.id, viewer: park)?.status.mentions.map(\.username) == ["park"])
            #expect(try await core.feed.view(id: direct.status.id, viewer: kim) == nil)
            #expect(try await core.feed.timeline(.account(lee.id), viewer: park).items.map(\.status.id) == [direct.status.id])
            await #expect(throws: CoreError.self) { try await core.feed.reblog(by: kim, statusID: followers.status.id) }
        }
    }

    @Test(arguments: TestEngine.all)
    func blocksHideEverythingAndStopRepliesMentionsAndFollows(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            _ = try await core.relationships.follow(lee, kim)
            let post = try await core.feed.post(author: kim, .init(text: "hello"))
            let blocked = try await core.relationships.block(kim, lee)
            #expect(blocked.blocking && !blocked.followedBy, "blocking ends the follow")
            #expect(try await core.feed.view(id: post.status.id, viewer: lee) == nil)
            #expect(try await core.feed.timeline(.network, viewer: lee).items.isEmpty)
            await #expect(throws: CoreError.self) { try await core.feed.post(author: lee, .init(text: "reply", inReplyToID: post.status.id)) }
            await #expect(throws: CoreError.self) { try await core.relationships.follow(lee, kim) }
            let mention = try await core.feed.post(author: lee, .init(text: "@kim hi"))
            #expect(mention.status.mentions.isEmpty)
            #expect(try await core.notifications.list(for: kim).isEmpty)
        }
    }

    @Test(arguments: TestEngine.all)
    func interactionsCountOnceAndNotify(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            let post = try await core.feed.post(author: kim, .init(text: "#서울 #Seoul #ｓｅｏｕｌ 사진"))
            #expect(post.status.tags == ["seoul", "서울"])
            _ = try await core.feed.add(.favourite, by: lee, statusID: post.status.id)
            let twice = try await core.feed.add(.favourite, by: lee, statusID: post.status.id)
            #expect(twice.favourited && twice.status.favouritesCount == 1)
            let repost = try await core.feed.reblog(by: lee, statusID: post.status.id)
            #expect(repost.reblog?.view.status.id == post.status.id && repost.reblog?.view.status.reblogsCount == 1)
            #expect(try await core.feed.reblog(by: lee, statusID: post.status.id).status.id == repost.status.id)
            let reply = try await core.feed.post(author: lee, .init(text: "좋아요", inReplyToID: post.status.id))
            #expect(reply.status.mentions.map(\.username) == ["kim"], "a reply reaches the parent's author")
            let kinds = try await core.notifications.list(for: kim).map(\.kind)
            #expect(kinds == [.mention, .reblog, .favourite])
            #expect(try await core.notifications.list(for: kim, excluding: [.mention]).count == 2)
            let tagged = try await core.feed.timeline(.tag("서울"), viewer: lee)
            #expect(tagged.items.map(\.status.id) == [post.status.id])
            let context = try await core.feed.context(id: post.status.id, viewer: kim)
            #expect(context.descendants.map(\.status.id) == [reply.status.id])
            _ = try await core.feed.unreblog(by: lee, statusID: post.status.id)
            let after = try #require(try await core.feed.view(id: post.status.id, viewer: kim))
            #expect(after.status.reblogsCount == 0 && after.status.repliesCount == 1)
        }
    }

    /// A page reads mentions, photos and reactions only for the statuses that have some, and the viewer's
    /// favourites and reposts only where the counts say there are any: each must still come out right.
    @Test(arguments: TestEngine.all)
    func aPageShowsEachStatusesPartsAndTheViewersOwnActions(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee"), park = try await TestStore.member(core, "park")
            _ = try await core.relationships.follow(kim, lee)
            _ = try await core.relationships.follow(park, lee)
            let plain = try await core.feed.post(author: lee, .init(text: "plain")).status.id
            let mention = try await core.feed.post(author: lee, .init(text: "hi @park ＃서울")).status.id
            let photo = try await core.feed.post(author: lee, .init(text: "photo")).status.id
            try await core.database.write { db in
                try await db.raw("""
                    INSERT INTO media (id, account_id, status_id, digest, blurhash, original_ext, original_width, original_height,
                                       large_ext, large_width, large_height, small_ext, small_width, small_height, created_at)
                    VALUES (7, \(bind: lee.id), \(bind: photo), 'ab', 'L00000', 'jpg', 8, 8, 'jpg', 8, 8, 'jpg', 8, 8, 0)
                    """).run()
            }
            let reacted = try await core.feed.post(author: lee, .init(text: "react")).status.id
            _ = try await core.feed.react(by: park, statusID: reacted, emoji: "👍")
            _ = try await core.feed.add(.favourite, by: kim, statusID: plain)
            _ = try await core.feed.add(.bookmark, by: kim, statusID: photo)
            _ = try await core.feed.reblog(by: kim, statusID: mention)
            _ = try await core.feed.add(.favourite, by: park, statusID: photo)

            func item(_ page: TimelinePage, _ id: Int64) throws -> StatusView {
                try #require(page.items.first { $0.status.id == id })
            }
            let kims = try await core.feed.timeline(.network, viewer: kim)
            #expect(try item(kims, plain).favourited && !item(kims, plain).bookmarked && !item(kims, plain).reblogged)
            #expect(try item(kims, mention).reblogged && item(kims, mention).status.mentions.map(\.username) == ["park"])
            #expect(try item(kims, mention).status.tags == ["서울"])
            #expect(try item(kims, photo).bookmarked && !item(kims, photo).favourited && item(kims, photo).status.media.map(\.id) == [7])
            #expect(try item(kims, reacted).status.reactions == [Status.Reaction(emoji: "👍", count: 1)] && item(kims, reacted).myReactions.isEmpty)
            #expect(try item(kims, plain).status.media.isEmpty && item(kims, plain).status.mentions.isEmpty && item(kims, plain).status.reactions.isEmpty)
            let parks = try await core.feed.timeline(.home, viewer: park)
            #expect(try item(parks, photo).favourited && !item(parks, photo).bookmarked && !item(parks, plain).favourited)
            #expect(try item(parks, reacted).myReactions == ["👍"] && !item(parks, mention).reblogged)
            _ = try await core.feed.remove(.favourite, by: kim, statusID: plain)
            #expect(try item(try await core.feed.timeline(.network, viewer: kim), plain).favourited == false)
        }
    }

    @Test(arguments: TestEngine.all)
    func editsKeepHistoryAndOnlyTheAuthorEditsOrDeletes(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            let post = try await core.feed.post(author: kim, .init(text: "first"))
            await #expect(throws: CoreError.self) { try await core.feed.edit(actor: lee, id: post.status.id, text: "hacked", spoilerText: "") }
            let edited = try await core.feed.edit(actor: kim, id: post.status.id, text: "second", spoilerText: "cw")
            #expect(edited.status.text == "second" && edited.status.editedAt != nil)
            #expect(try await core.feed.history(id: post.status.id, viewer: lee).map(\.text) == ["first", "second"])
            await #expect(throws: CoreError.self) { try await core.feed.delete(actor: lee, id: post.status.id) }
            try await core.feed.delete(actor: kim, id: post.status.id)
            #expect(try await core.feed.view(id: post.status.id, viewer: kim) == nil)
            await #expect(throws: CoreError.self) { try await core.feed.post(author: kim, .init(text: "   ")) }
            await #expect(throws: CoreError.self) { try await core.feed.post(author: kim, .init(text: String(repeating: "가", count: 5_001))) }
        }
    }

    @Test(arguments: TestEngine.all)
    func lockedAccountsApproveFollowRequests(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            var kim = try await TestStore.member(core, "kim")
            let lee = try await TestStore.member(core, "lee")
            try await core.relationships.setLocked(kim, true)
            kim.locked = true
            let asked = try await core.relationships.follow(lee, kim)
            #expect(asked.requested && !asked.following)
            #expect(try await core.relationships.accounts(.requests, of: kim.id).map(\.0.username) == ["lee"])
            #expect(try await core.notifications.list(for: kim).map(\.kind) == [.followRequest])
            let accepted = try await core.relationships.answerRequest(kim, from: lee.id, accept: true)
            #expect(accepted.followedBy)
            #expect(try await core.relationships.counts(kim.id) == AccountCounts(statuses: 0, followers: 1, following: 0))
            #expect(try await core.notifications.list(for: kim).map(\.kind) == [.follow])
        }
    }

    @Test(arguments: TestEngine.all)
    func homeFeedIsFannedOutBackfilledOnFollowAndEmptiedOnUnfollow(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            var posted: [Int64] = []
            for n in 1...50 { posted.append(try await core.feed.post(author: lee, .init(text: "lee \(n)")).status.id) }
            _ = try await core.relationships.follow(kim, lee)
            var seen: [Int64] = []
            var page = PageRequest(limit: 40)
            while true {
                let result = try await core.feed.timeline(.home, viewer: kim, page: page)
                if result.items.isEmpty { break }
                seen += result.items.map(\.status.id)
                page = PageRequest(maxID: result.oldestCursor, limit: 40)
            }
            #expect(seen == posted.reversed(), "40 backfilled, the 10 older ones read from the statuses themselves")
            let fresh = try await core.feed.post(author: lee, .init(text: "new", visibility: .private))
            #expect(try await core.feed.timeline(.home, viewer: kim, page: PageRequest(limit: 1)).items.first?.status.id == fresh.status.id)
            _ = try await core.relationships.unfollow(kim, lee)
            #expect(try await core.feed.timeline(.home, viewer: kim).items.isEmpty)
        }
    }

    @Test func textPiecesFindTagsMentionsAndLinksInEveryScript() {
        let pieces = StatusText.pieces("안녕 #한국어 and #Привет @kim_1 see https://intra.example/a?b=1. e-mail@x C# #123")
        #expect(pieces.contains(.hashtag("한국어")) && pieces.contains(.hashtag("Привет")))
        #expect(pieces.contains(.mention("kim_1")) && pieces.contains(.link("https://intra.example/a?b=1")))
        #expect(!pieces.contains(.mention("x")) && !pieces.contains(.hashtag("123")))
        #expect(StatusText.hashtags("#日本語 #ＴＯＫＹＯ #tokyo") == ["日本語", "tokyo"])
        #expect(StatusText.validTag("bad tag") == nil && StatusText.validTag("#中文") == "中文")
        // The byte scan that spares most statuses a tag query: '#', full-width '＃', and near misses.
        #expect(StatusText.mayHaveHashtag("a #b") && StatusText.mayHaveHashtag("＃東京") && StatusText.mayHaveHashtag("末尾＃"))
        #expect(!StatusText.mayHaveHashtag("") && !StatusText.mayHaveHashtag("東京 ＄ ｃ ＂ no tag"))
        for text in ["안녕 #한국어", "＃ＴＯＫＹＯ", "plain", "＃", "ｂ＃"] {
            #expect(StatusText.mayHaveHashtag(text) == (text.contains("#") || text.contains("＃")))
        }
    }
}

@Suite("Home feed upkeep")
struct HomeFeedTrimTests {
    /// The fanned-out home feed is cut to its newest rows; paging past them reads the rest from the
    /// statuses themselves, so a member still scrolls back through everything, in order, without gaps.
    @Test(arguments: TestEngine.all)
    func trimmingKeepsTheNewestRowsAndOlderPagesStillRead(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            _ = try await core.relationships.follow(kim, lee)
            let total = HomeFeed.depth + 30
            var posted: [Int64] = []
            for n in 1...total { posted.append(try await core.feed.post(author: lee, .init(text: "lee \(n)")).status.id) }
            func rows() async throws -> Int {
                try await core.database.read { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM home_feed WHERE account_id = \(bind: kim.id)").first()!.decode(column: "n", as: Int.self)
                }
            }
            #expect(try await rows() == total)
            try await core.feed.trimHomeFeeds(batch: 1)
            #expect(try await rows() == HomeFeed.depth)
            var seen: [Int64] = []
            var page = PageRequest(limit: 40)
            while true {
                let result = try await core.feed.timeline(.home, viewer: kim, page: page)
                guard !result.items.isEmpty else { break }
                seen += result.items.map(\.status.id)
                page = PageRequest(maxID: result.oldestCursor, limit: 40)
            }
            #expect(seen == posted.reversed())
        }
    }
}
