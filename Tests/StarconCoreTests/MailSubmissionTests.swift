import Foundation
@testable import StarconCore
import Testing

@Suite("Mail submission and queue")
struct MailSubmissionTests {
    static func message(from: String = "kim@starcon.local", to: String = "lee@starcon.local", extra: String = "") -> [UInt8] {
        Array("From: \(from)\r\nTo: \(to)\r\n\(extra)Subject: Lunch\r\n\r\nNoodles at noon?\r\n".utf8)
    }

    static func inbox(_ core: Core, _ account: Account, role: MailboxRole = .inbox) async throws -> [String] {
        let box = try await core.mail.mailbox(role: role, of: account)
        let entries = try await core.mail.entries(mailboxID: box.id, of: account)
        guard let first = entries.first?.uid, let last = entries.last?.uid else { return [] }
        let raw = try await core.mail.raw(mailboxID: box.id, uids: [first...last], of: account)
        return entries.map { String(decoding: raw[$0.uid]!, as: UTF8.self) }
    }

    @Test(arguments: TestEngine.all)
    func submissionDeliversLocallyQueuesRemoteAndKeepsACopyInSent(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            let receipt = try await core.submission.submit(
                Self.message(extra: "Bcc: secret@starcon.local,\r\n  park@other.example\r\n"), from: kim,
                to: ["Lee@starcon.local", "park@Other.Example"])
            #expect(receipt.delivered == ["Lee@starcon.local"] && receipt.queued == ["park@other.example"])
            let delivered = try await Self.inbox(core, lee)
            #expect(delivered.count == 1)
            #expect(delivered[0].hasPrefix("Received: by "), "a Received header first")
            #expect(delivered[0].contains("Message-ID: \(receipt.messageID)\r\n") && delivered[0].contains("\r\nDate: "))
            #expect(!delivered[0].contains("Bcc") && !delivered[0].contains("park@other"), "Bcc removed, continuation too")
            let sent = try await Self.inbox(core, kim, role: .sent)
            #expect(sent.count == 1 && sent[0].contains("Bcc: secret@starcon.local"))
            let queue = try await core.mailQueue.entries()
            #expect(queue.map(\.recipient) == ["park@other.example"])
            let items = try await core.mailQueue.claim(node: "a")
            #expect(items.count == 1 && items[0].sender == "kim@starcon.local")
            #expect(!String(decoding: items[0].raw, as: UTF8.self).contains("Bcc"))
            #expect(try await core.mailQueue.claim(node: "b").isEmpty, "a claimed row is no one else's")
            try await core.mailQueue.delivered(items[0], node: "a")
            #expect(try await core.mailQueue.entries().isEmpty)
        }
    }

    @Test(arguments: TestEngine.all)
    func refusalsStoreNothing(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            await #expect(throws: MailSubmissionError.unknownRecipient("nobody@starcon.local")) {
                _ = try await core.submission.submit(Self.message(), from: kim, to: ["lee@starcon.local", "nobody@starcon.local"])
            }
            await #expect(throws: MailSubmissionError.senderNotOwned("lee@starcon.local")) {
                _ = try await core.submission.submit(Self.message(from: "lee@starcon.local"), from: kim, to: ["lee@starcon.local"])
            }
            await #expect(throws: MailSubmissionError.badRecipient("not an address")) {
                _ = try await core.submission.submit(Self.message(), from: kim, to: ["not an address"])
            }
            await #expect(throws: MailSubmissionError.tooManyRecipients(limit: 100)) {
                _ = try await core.submission.submit(Self.message(), from: kim, to: (0...100).map { "u\($0)@other.example" })
            }
            await #expect(throws: MailSubmissionError.tooLarge(limit: MailService.maxMessageBytes)) {
                _ = try await core.submission.submit([UInt8](repeating: 65, count: MailService.maxMessageBytes + 1), from: kim, to: ["lee@starcon.local"])
            }
            await #expect(throws: MailSubmissionError.relayDenied("park@other.example")) {
                _ = try await core.submission.receive(Self.message(from: "x@other.example"), envelopeSender: "x@other.example",
                                                      to: ["park@other.example"], via: .init(protocolName: "ESMTP"))
            }
            #expect(try await Self.inbox(core, lee).isEmpty)
            #expect(try await Self.inbox(core, kim, role: .sent).isEmpty)
            #expect(try await core.mailQueue.entries().isEmpty)
            // A suspended member sends nothing and receives nothing.
            _ = try await core.accounts.setSuspended(actor: nil, target: lee.id, suspended: true, reason: "test")
            await #expect(throws: CoreError(.forbidden, "account_suspended")) {
                _ = try await core.submission.submit(Self.message(from: "lee@starcon.local", to: "kim@starcon.local"), from: lee, to: ["kim@starcon.local"])
            }
            await #expect(throws: MailSubmissionError.disabledRecipient("lee@starcon.local")) {
                _ = try await core.submission.submit(Self.message(), from: kim, to: ["lee@starcon.local"])
            }
            #expect(try await core.submission.verdict(for: "lee@starcon.local") == .disabled)
            #expect(try await core.submission.verdict(for: "KIM@starcon.local") == .member)
            #expect(try await core.submission.verdict(for: "ghost@starcon.local") == .unknown)
            #expect(try await core.submission.verdict(for: "x@other.example") == .remote)
        }
    }

    @Test(arguments: TestEngine.all)
    func theHourlyLimitHoldsAndARefusedMessageDoesNotCount(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            let submission = MailSubmission(mail: core.mail, database: core.database, ids: core.ids, clock: core.clock, log: core.log, sendLimit: 2)
            _ = try await submission.submit(Self.message(), from: kim, to: ["lee@starcon.local"])
            _ = try await submission.submit(Self.message(), from: kim, to: ["lee@starcon.local"])
            do {
                _ = try await submission.submit(Self.message(), from: kim, to: ["lee@starcon.local"])
                Issue.record("a third message in the hour was sent")
            } catch let error as CoreError {
                #expect(error.kind == .throttled && error.key == "mail_rate_limited")
            }
            #expect(try await Self.inbox(core, lee).count == 2)
        }
    }

    @Test(arguments: TestEngine.all)
    func aFailedDeliveryBouncesToTheSendersInbox(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            let queue = MailQueue(database: core.database, ids: core.ids, clock: core.clock, log: core.log, mail: core.mail,
                                  retrySchedule: [0], lease: 60_000)
            _ = try await core.submission.submit(Self.message(to: "park@other.example"), from: kim, to: ["park@other.example"])
            var items = try await queue.claim(node: "a")
            #expect(try await queue.deferred(items[0], node: "a", reason: "451 4.4.1 No answer") == false)
            #expect(try await queue.entries().first?.attempts == 1)
            items = try await queue.claim(node: "b")
            #expect(items.count == 1, "due again after the schedule's step")
            #expect(try await queue.deferred(items[0], node: "b", reason: "451 4.4.1 No answer") == true, "the last try bounces")
            #expect(try await queue.entries().isEmpty)
            let inbox = try await Self.inbox(core, kim)
            #expect(inbox.count == 1)
            #expect(inbox[0].contains("multipart/report; report-type=delivery-status"))
            #expect(inbox[0].contains("Final-Recipient: rfc822; park@other.example") && inbox[0].contains("Status: 4.4.1"))
            #expect(inbox[0].contains("Subject: Lunch"), "the original header comes back")
            let count = try await core.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM mail_queue_messages").first()!.decode(column: "n", as: Int.self)
            }
            #expect(count == 0, "the queued bytes go with the last row")
        }
    }

    @Test(arguments: TestEngine.all)
    func inboundMailReachesMembersWithReturnPathAndReceived(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let lee = try await TestStore.member(core, "lee")
            let receipt = try await core.submission.receive(Self.message(from: "park@other.example"), envelopeSender: "park@other.example",
                                                            to: ["lee@starcon.local"], via: .init(protocolName: "ESMTP", clientName: "mx.other", peer: "10.0.0.9"))
            let inbox = try await Self.inbox(core, lee)
            #expect(inbox.count == 1 && receipt.delivered == ["lee@starcon.local"])
            #expect(inbox[0].hasPrefix("Return-Path: <park@other.example>\r\nReceived: from mx.other (10.0.0.9) by "))
            await #expect(throws: MailSubmissionError.unknownRecipient("ghost@starcon.local")) {
                _ = try await core.submission.receive(Self.message(), envelopeSender: nil, to: ["ghost@starcon.local"], via: .init(protocolName: "ESMTP"))
            }
        }
    }

    @Test(arguments: TestEngine.all)
    func aClaimThatRunsOutIsTakenOverAndTheFirstNodeCannotFinishIt(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            let queue = MailQueue(database: core.database, ids: core.ids, clock: core.clock, log: core.log, mail: core.mail,
                                  retrySchedule: [60_000], lease: 3_000)
            _ = try await core.submission.submit(Self.message(to: "park@other.example"), from: kim, to: ["park@other.example"])
            let first = try await queue.claim(node: "killed")
            #expect(first.count == 1)
            #expect(try await queue.claim(node: "b").isEmpty, "held while the claim lasts")
            try await Task.sleep(for: .milliseconds(3_100))
            let taken = try await queue.claim(node: "b")
            #expect(taken.map(\.id) == first.map(\.id), "a node that died leaves a claim that runs out")
            // The first node comes back and reports: its claim is gone, so nothing changes.
            try await queue.delivered(first[0], node: "killed")
            #expect(try await queue.entries().first?.claimedBy == "b")
            try await queue.delivered(taken[0], node: "b")
            #expect(try await queue.entries().isEmpty)
        }
    }
}
