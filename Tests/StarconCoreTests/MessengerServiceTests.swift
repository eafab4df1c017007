import NIOConcurrencyHelpers
@testable import StarconCore
import Testing

@Suite("Messenger store")
struct MessengerServiceTests {
    @Test(arguments: TestEngine.all)
    func oneToOneIsIdempotentAndGroupsHaveAdmins(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee"), park = try await TestStore.member(core, "park")
            let first = try await core.messenger.start(creator: kim, usernames: ["lee"])
            let again = try await core.messenger.start(creator: lee, usernames: ["@KIM"])
            #expect(first.id == again.id, "the pair has one 1:1 conversation, whoever starts it")
            #expect(first.conversation.kind == .direct)
            #expect(Set(first.members.map(\.account.id)) == [kim.id, lee.id])
            let group = try await core.messenger.start(creator: kim, usernames: ["lee", "park"], title: "  Team  ")
            #expect(group.conversation.kind == .group && group.conversation.title == "Team" && group.isAdmin)
            #expect(group.id != first.id)
            await #expect(throws: CoreError(.conflict, "msg_already_member")) {
                try await core.messenger.addMembers(actor: kim, conversationID: group.id, usernames: ["park"])
            }
            await #expect(throws: CoreError(.forbidden, "msg_not_admin")) {
                try await core.messenger.setTitle(actor: lee, conversationID: group.id, title: "Mine")
            }
            await #expect(throws: CoreError.invalid("msg_unknown_member", field: "members")) {
                try await core.messenger.start(creator: kim, usernames: ["nobody"])
            }
            await #expect(throws: CoreError.invalid("msg_no_members", field: "members")) {
                try await core.messenger.start(creator: kim, usernames: ["kim"])
            }
            // Removing a member; the last admin leaving hands the group on.
            let removed = try await core.messenger.removeMember(actor: kim, conversationID: group.id, accountID: park.id)
            #expect(removed?.members.map(\.account.id) == [kim.id, lee.id])
            await #expect(throws: CoreError.notFound) { try await core.messenger.conversation(id: group.id, viewer: park) }
            try await core.messenger.leave(actor: kim, conversationID: group.id)
            #expect(try await core.messenger.conversation(id: group.id, viewer: lee).isAdmin)
            await #expect(throws: CoreError.notFound) {
                try await core.messenger.send(sender: kim, conversationID: group.id, text: "after leaving")
            }
        }
    }

    @Test(arguments: TestEngine.all)
    func groupsStopAt256Members(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let owner = try await TestStore.member(core, "owner")
            // Without bcrypt: 256 password hashes would take most of the test.
            let names = (1...256).map { "m\($0)" }
            try await core.database.write { db in
                for name in names { _ = try await core.accounts.insert(.init(username: name, password: "unused"), passwordHash: "x", db: db) }
            }
            await #expect(throws: CoreError.invalid("msg_group_full", field: "members")) {
                try await core.messenger.start(creator: owner, usernames: names)
            }
            let group = try await core.messenger.start(creator: owner, usernames: Array(names.prefix(255)), title: "Full")
            #expect(group.members.count == 256)
            await #expect(throws: CoreError.invalid("msg_group_full", field: "members")) {
                try await core.messenger.addMembers(actor: owner, conversationID: group.id, usernames: ["m256"])
            }
        }
    }

    @Test(arguments: TestEngine.all)
    func messagesAreValidatedPagedSearchedAndIdempotent(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee"), park = try await TestStore.member(core, "park")
            let chat = try await core.messenger.start(creator: kim, usernames: ["lee"])
            await #expect(throws: CoreError.invalid("msg_empty", field: "text")) {
                try await core.messenger.send(sender: kim, conversationID: chat.id, text: " \n\u{200B} ")
            }
            await #expect(throws: CoreError.invalid("msg_long", field: "text")) {
                try await core.messenger.send(sender: kim, conversationID: chat.id, text: String(repeating: "가", count: 10_001))
            }
            let long = try await core.messenger.send(sender: kim, conversationID: chat.id, text: String(repeating: "가", count: 10_000))
            #expect(long.message.text.count == 10_000)
            var sent: [Int64] = [long.message.id]
            for n in 1...6 { sent.append(try await core.messenger.send(sender: n % 2 == 0 ? kim : lee, conversationID: chat.id, text: "msg \(n) 100%_done").message.id) }
            #expect(sent == sent.sorted(), "ids grow in sending order")
            let first = try await core.messenger.messages(viewer: lee, conversationID: chat.id, limit: 3)
            #expect(first.messages.map(\.id) == [sent[6], sent[5], sent[4]] && first.hasOlder)
            let second = try await core.messenger.messages(viewer: lee, conversationID: chat.id, before: sent[4], limit: 3)
            #expect(second.messages.map(\.id) == [sent[3], sent[2], sent[1]] && second.hasOlder)
            let after = try await core.messenger.messages(viewer: lee, conversationID: chat.id, after: sent[1], limit: 2)
            #expect(after.messages.map(\.id) == [sent[3], sent[2]], "after: the ones just after it, newest first")
            // Idempotent send.
            let a = try await core.messenger.send(sender: kim, conversationID: chat.id, text: "once", clientKey: "k-1")
            let b = try await core.messenger.send(sender: kim, conversationID: chat.id, text: "once", clientKey: "k-1")
            #expect(a.created && !b.created && a.message.id == b.message.id)
            #expect(try await core.messenger.messages(viewer: kim, conversationID: chat.id, limit: 200).messages.count == 8)
            // Search escapes LIKE wildcards and ignores case.
            #expect(try await core.messenger.search(viewer: lee, conversationID: chat.id, query: "100%_").count == 6)
            #expect(try await core.messenger.search(viewer: lee, conversationID: chat.id, query: "%").count == 6)
            #expect(try await core.messenger.search(viewer: lee, conversationID: chat.id, query: "MSG 3").count == 1)
            #expect(try await core.messenger.search(viewer: lee, conversationID: chat.id, query: "x_y").isEmpty)
            // A non-member learns nothing.
            await #expect(throws: CoreError.notFound) { try await core.messenger.messages(viewer: park, conversationID: chat.id) }
            await #expect(throws: CoreError.notFound) { try await core.messenger.search(viewer: park, conversationID: chat.id, query: "msg") }
            await #expect(throws: CoreError.notFound) { try await core.messenger.message(id: sent[1], viewer: park) }
            await #expect(throws: CoreError.notFound) { try await core.messenger.edit(actor: park, messageID: sent[1], text: "x") }
            await #expect(throws: CoreError.notFound) { try await core.messenger.send(sender: park, conversationID: chat.id, text: "hi") }
            // Edit and delete one's own only.
            await #expect(throws: CoreError(.forbidden, "msg_not_sender")) { try await core.messenger.edit(actor: kim, messageID: sent[1], text: "x") }
            let edited = try await core.messenger.edit(actor: lee, messageID: sent[1], text: "fixed")
            #expect(edited.text == "fixed" && edited.editedAt != nil)
            let reply = try await core.messenger.send(sender: kim, conversationID: chat.id, text: "re", replyTo: sent[1]).message
            #expect(reply.replyToID == sent[1])
            await #expect(throws: CoreError(.forbidden, "msg_not_sender")) { try await core.messenger.delete(actor: kim, messageID: sent[1]) }
            try await core.messenger.delete(actor: lee, messageID: sent[1])
            #expect(try await core.messenger.message(id: reply.id, viewer: kim).replyToID == nil)
            try await core.messenger.delete(actor: kim, messageID: reply.id)
            #expect(try await core.messenger.conversation(id: chat.id, viewer: kim).lastMessage?.id == a.message.id)
        }
    }

    @Test(arguments: TestEngine.all)
    func readStateUnreadCountsAndMutes(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            let chat = try await core.messenger.start(creator: kim, usernames: ["lee"])
            var ids: [Int64] = []
            for n in 1...3 { ids.append(try await core.messenger.send(sender: kim, conversationID: chat.id, text: "m\(n)").message.id) }
            #expect(try await core.messenger.conversation(id: chat.id, viewer: lee).unread == 3)
            #expect(try await core.messenger.conversation(id: chat.id, viewer: kim).unread == 0, "one's own messages are read")
            #expect(try await core.messenger.unreadTotal(for: lee) == 3)
            #expect(try await core.messenger.markRead(actor: lee, conversationID: chat.id, upTo: ids[1]) == ids[1])
            #expect(try await core.messenger.markRead(actor: lee, conversationID: chat.id, upTo: ids[0]) == ids[1], "never backwards")
            #expect(try await core.messenger.markRead(actor: lee, conversationID: chat.id, upTo: Int64.max) == ids[2], "never past the newest")
            let view = try await core.messenger.conversation(id: chat.id, viewer: kim)
            #expect(view.members.first { $0.account.id == lee.id }?.lastReadID == ids[2], "who has read up to where")
            _ = try await core.messenger.send(sender: kim, conversationID: chat.id, text: "again")
            _ = try await core.messenger.setMuted(actor: lee, conversationID: chat.id, muted: true)
            #expect(try await core.messenger.conversation(id: chat.id, viewer: lee).unread == 1)
            #expect(try await core.messenger.unreadTotal(for: lee) == 0, "muted conversations stay out of the header count")
            let list = try await core.messenger.conversations(viewer: lee)
            #expect(list.map(\.id) == [chat.id] && list[0].muted && list[0].lastMessage?.text == "again")
        }
    }

    @Test(arguments: TestEngine.all)
    func blocksHoldBothWays(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee"), park = try await TestStore.member(core, "park")
            let chat = try await core.messenger.start(creator: kim, usernames: ["lee"])
            _ = try await core.relationships.block(lee, kim)
            await #expect(throws: CoreError(.forbidden, "msg_blocked")) { try await core.messenger.start(creator: kim, usernames: ["lee"]) }
            await #expect(throws: CoreError(.forbidden, "msg_blocked")) { try await core.messenger.start(creator: lee, usernames: ["kim"]) }
            await #expect(throws: CoreError(.forbidden, "msg_blocked")) { try await core.messenger.send(sender: kim, conversationID: chat.id, text: "hi") }
            let group = try await core.messenger.start(creator: park, usernames: ["park", "kim"], title: "g")
            await #expect(throws: CoreError(.forbidden, "msg_blocked")) {
                try await core.messenger.start(creator: lee, usernames: ["kim", "park"], title: "g2")
            }
            _ = group
        }
    }

    @Test(arguments: TestEngine.all)
    func aDirectConversationComesBackAfterLeaving(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            let chat = try await core.messenger.start(creator: kim, usernames: ["lee"])
            try await core.messenger.leave(actor: lee, conversationID: chat.id)
            #expect(try await core.messenger.conversations(viewer: lee).isEmpty)
            _ = try await core.messenger.send(sender: kim, conversationID: chat.id, text: "are you there?")
            #expect(try await core.messenger.conversations(viewer: lee).map(\.id) == [chat.id])
        }
    }

    @Test(arguments: TestEngine.all)
    func eventsReachTheAudienceAfterCommitAndTheBacklogResumes(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee"), park = try await TestStore.member(core, "park")
            let chat = try await core.messenger.start(creator: kim, usernames: ["lee"])
            // The core's own subscribers (the announcements cache) are there before and after.
            let subscribersBefore = core.events.subscriberCount
            let leeEvents = core.events.record(accountID: lee.id)
            let parkEvents = core.events.record(accountID: park.id)
            var sent: [Int64] = [], places: [Int64] = []
            for n in 1...5 {
                let message = try await core.messenger.send(sender: kim, conversationID: chat.id, text: "m\(n)").message
                sent.append(message.id)
                places.append(message.seq)
            }
            #expect(places == places.sorted() && Set(places).count == 5 && places[0] > 0, "each message has its place in the log")
            try await core.messenger.typing(actor: kim, conversationID: chat.id)
            try await core.log.waitUntilDelivered()
            leeEvents.cancel()
            parkEvents.cancel()
            var received: [Int64] = []
            var kinds: [String] = []
            for await event in leeEvents.events {
                kinds.append(event.kind)
                if case .message(let message) = event.payload { received.append(message.id) }
            }
            #expect(received == sent)
            #expect(kinds.last == "typing")
            var parkCount = 0
            for await _ in parkEvents.events { parkCount += 1 }
            #expect(parkCount == 0, "no event leaks outside the conversation")
            #expect(try await core.messenger.backlog(for: lee.id, afterSeq: places[1]).map(\.id) == Array(sent[2...]))
            #expect(try await core.messenger.resumePoint(forMessage: sent[1]) == places[1])
            #expect(try await core.messenger.backlog(for: park.id, afterSeq: 0).isEmpty)
            #expect(core.events.subscriberCount == subscribersBefore)
        }
    }

    /// Concurrent sends each get their own answer, a refused one changes nothing, and every member sees the
    /// messages in the order of their places in the log (commit order) with none missing, and the backlog
    /// gives the same order, so resuming after the last place seen loses nothing.
    @Test(arguments: TestEngine.all)
    func concurrentSendsArriveInLogOrderAndAFailureStaysItsOwn(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee"), park = try await TestStore.member(core, "park")
            let group = try await core.messenger.start(creator: kim, usernames: ["lee"], title: "team", group: true)
            let other = try await core.messenger.start(creator: park, usernames: ["kim"])
            let leeEvents = core.events.record(accountID: lee.id)
            let results = await withTaskGroup(of: (Int, Result<Int64, any Error>).self) { tasks in
                for n in 0..<40 {
                    tasks.addTask {
                        // Every tenth is lee writing to a 1:1 lee is not in: refused, alone.
                        let (sender, conversation) = n % 10 == 9 ? (lee, other.id) : (n % 2 == 0 ? kim : lee, group.id)
                        do { return (n, .success(try await core.messenger.send(sender: sender, conversationID: conversation, text: "n\(n)").message.id)) }
                        catch { return (n, .failure(error)) }
                    }
                }
                var all: [(Int, Result<Int64, any Error>)] = []
                for await result in tasks { all.append(result) }
                return all
            }
            let sent = Set(results.compactMap { try? $0.1.get() })
            #expect(sent.count == 36)
            #expect(results.filter { $0.0 % 10 == 9 }.allSatisfy { if case .failure = $0.1 { true } else { false } })
            try await core.log.waitUntilDelivered()
            leeEvents.cancel()
            var received: [Int64] = [], places: [Int64] = []
            for await event in leeEvents.events {
                if case .message(let message) = event.payload { received.append(message.id); places.append(message.seq) }
            }
            #expect(places == places.sorted() && Set(received) == sent && received.count == sent.count, "every message once, in log order")
            #expect(try await core.messenger.backlog(for: lee.id, afterSeq: 0).map(\.id) == received, "the backlog has the live order")
            let stored = try await core.messenger.messages(viewer: lee, conversationID: group.id, limit: 100).messages.map(\.id)
            #expect(Set(stored) == sent)
            #expect(try await core.messenger.messages(viewer: park, conversationID: other.id).messages.isEmpty)
        }
    }

    @Test(arguments: TestEngine.all)
    func searchFoldsCaseInEveryScript(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), _ = try await TestStore.member(core, "lee")
            let chat = try await core.messenger.start(creator: kim, usernames: ["lee"])
            for text in ["Привет, Мир", "ÉCOLE", "東京タワー", "안녕하세요"] { _ = try await core.messenger.send(sender: kim, conversationID: chat.id, text: text) }
            for (query, expected) in [("привет", "Привет, Мир"), ("école", "ÉCOLE"), ("京タ", "東京タワー"), ("녕", "안녕하세요")] {
                #expect(try await core.messenger.search(viewer: kim, conversationID: chat.id, query: query).map(\.text) == [expected])
            }
        }
    }

    @Test func aSinkThatHasNoRoomIsRemovedAndToldOnce() {
        let bus = EventBus()
        let delivered = NIOLockedValueBox(0), overflows = NIOLockedValueBox(0)
        let sink = bus.sink(accountID: 1, deliver: { _ in
            delivered.withLockedValue { $0 += 1; return $0 <= 2 }
        }, overflowed: { overflows.withLockedValue { $0 += 1 } })
        let other = bus.sink(accountID: 2, deliver: { _ in true }, overflowed: {})
        for n in 0..<5 { bus.publish(Event(to: [1, 2], .messageDeleted(conversationID: 1, messageID: Int64(n)))) }
        #expect(delivered.withLockedValue { $0 } == 3, "the third found no room; nothing more was offered")
        #expect(overflows.withLockedValue { $0 } == 1)
        #expect(bus.subscriberCount == 1)
        sink.cancel()
        other.cancel()
        other.cancel()
        #expect(bus.subscriberCount == 0)
    }
}
