@testable import StarconCore
import Testing

@Suite("Mastodon features in the core")
struct MastodonFeaturesTests {
    @Test(arguments: TestEngine.all)
    func concurrentRetriesWithOneIdempotencyKeyPostOnce(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<8 { group.addTask { try await core.feed.post(author: kim, .init(text: "once", idempotencyKey: "k")).status.id } }
                var ids: Set<Int64> = []
                for try await id in group { ids.insert(id) }
                return ids
            }
            #expect(ids.count == 1)
            let other = try await core.feed.post(author: lee, .init(text: "once", idempotencyKey: "k")).status.id
            #expect(!ids.contains(other), "a key is per member")
            let page = try await core.feed.timeline(.account(kim.id), viewer: kim)
            #expect(page.items.count == 1)
            try await core.feed.delete(actor: kim, id: ids.first!)
            let again = try await core.feed.post(author: kim, .init(text: "once", idempotencyKey: "k")).status.id
            #expect(!ids.contains(again), "the first status is gone: the key posts anew")
        }
    }

    @Test(arguments: TestEngine.all)
    func aPollCountsEachMemberOnceAndItsEndIsToldOnce(engine: TestEngine) async throws {
        let (clock, time) = Clock.manual(startingAt: 1_800_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            let posted = try await core.feed.post(author: kim, .init(text: "which?", poll: NewPoll(options: ["a", "b"], expiresIn: 600)))
            let votes = await withTaskGroup(of: Bool.self) { group in
                for choice in [0, 1, 0, 1] { group.addTask { (try? await core.feed.vote(by: lee, pollID: posted.status.id, choices: [choice])) != nil } }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(votes == 1)
            let poll = try #require(try await core.feed.view(id: posted.status.id, viewer: lee)?.status.poll)
            #expect(poll.votersCount == 1 && poll.votesCount == 1 && poll.options.map(\.votes).reduce(0, +) == 1)
            await #expect(throws: CoreError.self) { try await core.feed.vote(by: lee, pollID: posted.status.id, choices: [0, 1]) }
            time.advance(milliseconds: 601_000)
            try await core.feed.endPolls()
            try await core.feed.endPolls()
            #expect(try await core.notifications.list(for: lee).filter { $0.kind == .poll }.count == 1)
            #expect(try await core.notifications.list(for: kim).filter { $0.kind == .poll }.count == 1)
            await #expect(throws: CoreError.self) { try await core.feed.vote(by: kim, pollID: posted.status.id, choices: [0]) }
        }
    }

    @Test(arguments: TestEngine.all)
    func aScheduledStatusIsPostedOnceWhenDue(engine: TestEngine) async throws {
        let (clock, time) = Clock.manual(startingAt: 1_800_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            await #expect(throws: CoreError.self) { try await core.feed.schedule(author: kim, .init(text: "soon"), at: clock.nowMilliseconds() + 60_000) }
            let scheduled = try await core.feed.schedule(author: kim, .init(text: "later", visibility: .unlisted), at: clock.nowMilliseconds() + 600_000)
            try await core.feed.publishScheduled()
            #expect(try await core.feed.timeline(.account(kim.id), viewer: kim).items.isEmpty)
            time.advance(milliseconds: 600_000)
            try await core.feed.publishScheduled()
            try await core.feed.publishScheduled()
            let posted = try await core.feed.timeline(.account(kim.id), viewer: kim).items
            #expect(posted.map(\.status.text) == ["later"] && posted.first?.status.visibility == .unlisted)
            #expect(try await core.feed.scheduled(scheduled.id, author: kim) == nil)
        }
    }

    @Test(arguments: TestEngine.all)
    func hideFiltersLeaveStatusesOutAndWarnFiltersMarkThem(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            _ = try await core.relationships.follow(kim, lee)
            let spoiler = try await core.feed.post(author: lee, .init(text: "the ending SPOILER")).status.id
            let cat = try await core.feed.post(author: lee, .init(text: "my cat")).status.id
            let concat = try await core.feed.post(author: lee, .init(text: "concat")).status.id
            var hide = FilterChange()
            hide.title = "spoilers"; hide.contexts = [.home]; hide.action = .hide; hide.addKeywords = [("spoiler", false)]
            _ = try await core.filters.create(owner: kim, hide)
            var warn = FilterChange()
            warn.title = "cats"; warn.contexts = [.home, .public]; warn.addKeywords = [("cat", true)]
            _ = try await core.filters.create(owner: kim, warn)
            let home = try await core.feed.timeline(.home, viewer: kim).items
            #expect(home.map(\.status.id) == [concat, cat])
            #expect(home.first { $0.status.id == cat }?.filterResults.first?.keywordMatches == ["cat"])
            #expect(home.first { $0.status.id == concat }?.filterResults.isEmpty == true, "whole word")
            #expect(try await core.feed.timeline(.network, viewer: kim).items.contains { $0.status.id == spoiler }, "hide applies to home only")
            #expect(try await core.feed.timeline(.home, viewer: lee).items.count == 3, "one's own posts are not filtered")
        }
    }
}
