import Foundation
import NIOConcurrencyHelpers
import SQLKit
@testable import StarconCore
import Testing

/// The transactional event log, node leases and the job table, each on SQLite and PostgreSQL, with two
/// "nodes" (two Cores opened on one store, each with its own connections, as two processes have).
@Suite("Event log, nodes and jobs")
struct EventLogTests {
    /// Events commit with their change: a body that throws leaves no event and no place used; the places of
    /// a committed transaction follow each other, and subscribers get them in that order.
    @Test(arguments: TestEngine.all)
    func eventsCommitWithTheirChangeInOrder(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let recording = core.events.record(accountID: 7)
            let before = try await core.database.read { db in try await EventLog.clockValue(db) }
            await #expect(throws: CoreError.self) {
                try await core.log.write { _, outbox in
                    outbox.add(Event(to: [7], .accountEnded(accountID: 7)))
                    throw CoreError.forbidden
                }
            }
            #expect(try await core.database.read { db in try await EventLog.clockValue(db) } == before, "a rollback takes no place")
            let outbox = EventOutbox()
            try await core.log.write(outbox: outbox) { _, outbox in
                outbox.add(Event(to: [7], .credentialsRevoked(accountID: 7)))
                outbox.add(Event(to: [8], .accountEnded(accountID: 8)))
                outbox.add(Event(to: [7], .accountEnded(accountID: 7)))
            }
            #expect([outbox.seq(of: 0), outbox.seq(of: 1), outbox.seq(of: 2)] == [before + 1, before + 2, before + 3])
            try await core.log.waitUntilDelivered()
            recording.cancel()
            var got: [(String, Int64)] = []
            for await event in recording.events { got.append((event.kind, event.seq)) }
            #expect(got.map(\.0) == ["credentials_revoked", "account_ended"])
            #expect(got.map(\.1) == [before + 1, before + 3])
        }
    }

    /// A message sent through one node reaches a subscriber of another node on the same store (LISTEN/NOTIFY
    /// on PostgreSQL, the WAL file on SQLite), with its place, and so does a suspension.
    @Test(arguments: TestEngine.all)
    func aSecondNodeHearsTheFirst(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { one, location in
            let two = try await Core.open(location, logger: TestStore.logger)
            do {
                #expect(one.ids.tag != two.ids.tag, "two live nodes never share an id tag")
                let kim = try await TestStore.member(one, "kim"), lee = try await TestStore.member(one, "lee")
                let chat = try await one.messenger.start(creator: kim, usernames: ["lee"])
                let (stream, queue) = AsyncStream<Event>.makeStream()
                let sink = two.events.sink(accountID: lee.id, into: queue, as: { $0 })
                let sent = try await one.messenger.send(sender: kim, conversationID: chat.id, text: "안녕, node two").message
                var iterator = stream.makeAsyncIterator()
                var received: Message?
                while received == nil, let event = await iterator.next() {
                    if case .message(let message) = event.payload { received = message }
                }
                #expect(received?.id == sent.id && received?.seq == sent.seq && received?.text == "안녕, node two")
                let admin = try await one.accounts.create({ var n = AccountService.NewAccount(username: "root", password: "correct horse battery"); n.role = .admin; return n }())
                _ = try await one.accounts.setSuspended(actor: admin, target: lee.id, suspended: true, reason: "test")
                var ended = false
                while !ended, let event = await iterator.next() {
                    if case .accountEnded(let id) = event.payload, id == lee.id { ended = true }
                }
                #expect(ended)
                sink.cancel()
            } catch {
                await two.close()
                throw error
            }
            await two.close()
        }
    }

    /// A node whose cursor is older than what the log still holds is told to reload before it goes on.
    @Test(arguments: TestEngine.all)
    func aNodeBehindTheHorizonIsToldToReload(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let start = try await core.database.read { db in try await EventLog.clockValue(db) }
            for n in 1...5 {
                try await core.log.write { _, outbox in outbox.add(Event(to: [1], .credentialsRevoked(accountID: Int64(n)))) }
            }
            #expect(try await core.log.prune(olderThan: -1) == 4, "all but the newest go")
            #expect(try await core.log.horizon() == start + 5)
            let behind = EventLog(database: core.database, clock: core.clock, bus: EventBus(), logger: TestStore.logger)
            let recording = behind.bus.record(accountID: 1)
            try await behind.start(at: start)
            try await behind.waitUntilDelivered()
            await behind.stop()
            recording.cancel()
            var kinds: [String] = []
            for await event in recording.events { kinds.append(event.kind) }
            #expect(kinds == ["reload", "credentials_revoked"])
        }
    }

    /// Twenty processes starting at once get twenty different tags; a lease that ran out is taken by the
    /// next process, and its old holder learns it lost it.
    @Test(arguments: TestEngine.all)
    func nodeLeasesAreNeverShared(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let (clock, time) = Clock.manual(startingAt: core.clock.nowMilliseconds())
            let leases = (0..<20).map { _ in NodeLease(database: core.database, clock: clock) }
            let tags = try await withThrowingTaskGroup(of: UInt8.self) { group in
                for lease in leases { group.addTask { try await lease.acquire() } }
                var tags: [UInt8] = []
                for try await tag in group { tags.append(tag) }
                return tags
            }
            #expect(Set(tags).count == 20 && !tags.contains(core.ids.tag))
            #expect(try await leases[0].renew())
            time.advance(milliseconds: NodeLease.lifetime + 1)
            // Every other tag is held by someone alive: the next process must take one of the lapsed ones.
            let ours = SQLList(leases.map { SQLBind(Int64($0.tag!)) })
            try await core.database.write { db in
                try await db.raw("UPDATE node_leases SET holder = 'alive', expires_at = \(bind: Int64.max / 2) WHERE tag NOT IN (\(ours))").run()
            }
            let successor = NodeLease(database: core.database, clock: clock)
            let taken = try await successor.acquire()
            #expect(tags.contains(taken), "a lapsed tag is free again")
            let previous = try #require(leases.first { $0.tag == taken })
            #expect(try await previous.renew() == false, "its old holder learns it lost it")
            #expect(try await successor.renew())
        }
    }

    /// Two nodes share one job: it runs once per period, never on both at once; a node that claims it and
    /// dies leaves it to the other once its claim runs out.
    @Test(arguments: TestEngine.all)
    func aJobRunsOnceAcrossNodesAndADeadNodesJobIsTakenOver(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { one, location in
            let two = try await Core.open(location, logger: TestStore.logger)
            do {
                let running = NIOLockedValueBox(0), overlaps = NIOLockedValueBox(0), runs = NIOLockedValueBox<[String]>([])
                func job(_ node: String) -> JobRunner.Job {
                    JobRunner.Job(name: "test.tick", every: 100, firstAfter: 0) {
                        if running.withLockedValue({ $0 += 1; return $0 }) > 1 { overlaps.withLockedValue { $0 += 1 } }
                        try? await Task.sleep(for: .milliseconds(20))
                        running.withLockedValue { $0 -= 1 }
                        runs.withLockedValue { $0.append(node) }
                    }
                }
                let a = JobRunner(database: one.database, clock: one.clock, node: "a", jobs: [job("a")], lease: 400, logger: TestStore.logger)
                let b = JobRunner(database: two.database, clock: two.clock, node: "b", jobs: [job("b")], lease: 400, logger: TestStore.logger)
                let tasks = [Task { await a.run() }, Task { await b.run() }]
                try await Task.sleep(for: .milliseconds(1_500))
                for task in tasks { task.cancel() }
                for task in tasks { await task.value }
                let count = runs.withLockedValue { $0.count }
                #expect(overlaps.withLockedValue { $0 } == 0, "never on two nodes at once")
                #expect(count >= 3 && count <= 16, "about once per period (\(count) in 1.5 s at 100 ms)")
                let row = try #require(try await JobRunner.list(one.database).first { $0.name == "test.tick" })
                #expect(row.runs == Int64(count), "the table counts each run once")

                // Node a claims the job and dies before running it: its claim runs out, b takes the job.
                try await one.database.write { db in try await db.raw("UPDATE jobs SET due_at = 0, claimed_until = 0 WHERE name = 'test.tick'").run() }
                #expect(try await a.claim() == "test.tick")
                #expect(try await b.claim() == nil, "claimed by a live node")
                runs.withLockedValue { $0 = [] }
                let survivor = Task { await b.run() }
                try await Task.sleep(for: .milliseconds(1_000))
                survivor.cancel()
                await survivor.value
                #expect(runs.withLockedValue { $0 }.first == "b", "the dead node's job ran on the other")
                #expect(try await JobRunner.list(one.database).first { $0.name == "test.tick" }?.lastNode == "b")
            } catch {
                await two.close()
                throw error
            }
            await two.close()
        }
    }
}
