import Foundation
@testable import StarconCore
import Testing

@Suite("Mail store")
struct MailServiceTests {
    static func message(_ subject: String, from: String = "Park <park@other.example>", extra: String = "") -> [UInt8] {
        Array("""
            From: \(from)\r
            To: kim@starcon.local\r
            Subject: \(subject)\r
            Message-ID: <\(subject.replacingOccurrences(of: " ", with: "."))@other.example>\r
            Date: Fri, 4 Dec 2026 23:15:00 +0900\r
            \(extra)\r
            \r
            Hello, \(subject).\r

            """.utf8)
    }

    static func admin(_ core: Core) async throws -> Account {
        var new = AccountService.NewAccount(username: "root", password: "correct horse battery")
        new.role = .admin
        return try await core.accounts.create(new)
    }

    @Test(arguments: TestEngine.all)
    func everyMemberHasTheSpecialMailboxesWithDistinctValidities(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            let boxes = try await core.mail.mailboxes(of: kim)
            #expect(boxes.map(\.name) == ["Drafts", "INBOX", "Junk", "Sent", "Trash"])
            #expect(Set(boxes.compactMap(\.role)) == Set(MailboxRole.allCases))
            #expect(Set(boxes.map(\.uidValidity)).count == 5)
            #expect(try await core.mail.mailboxes(of: kim).map(\.id) == boxes.map(\.id), "made once")
            #expect(try await core.mail.mailbox(named: "inbox", of: kim)?.role == .inbox)
            // A mailbox made, deleted and made again never repeats its UIDVALIDITY.
            let project = try await core.mail.createMailbox(named: "Projects", of: kim)
            try await core.mail.deleteMailbox(id: project.id, of: kim)
            let again = try await core.mail.createMailbox(named: "Projects", of: kim)
            #expect(again.uidValidity > project.uidValidity)
            await #expect(throws: CoreError(.conflict, "mail_mailbox_exists", field: "name")) {
                _ = try await core.mail.createMailbox(named: "Projects", of: kim)
            }
            for bad in ["", "a//b", "/a", "a/", "a*", "50%", "tab\there"] {
                await #expect(throws: CoreError.invalid("mail_bad_mailbox_name", field: "name")) {
                    _ = try await core.mail.createMailbox(named: bad, of: kim)
                }
            }
            let inbox = boxes.first { $0.role == .inbox }!, sent = boxes.first { $0.role == .sent }!
            await #expect(throws: CoreError(.forbidden, "mail_special_mailbox")) { try await core.mail.deleteMailbox(id: inbox.id, of: kim) }
            await #expect(throws: CoreError(.forbidden, "mail_special_mailbox")) { try await core.mail.deleteMailbox(id: sent.id, of: kim) }
        }
    }

    @Test(arguments: TestEngine.all)
    func deliveryStoresOnceWithASummaryAndIncreasingUIDs(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            let kimEvents = core.events.record(accountID: kim.id)
            let raw = Self.message("=?utf-8?B?7JWI64WV?= lunch", extra: "Content-Type: multipart/mixed; boundary=x")
            let stored = try await core.mail.deliver(raw, to: [kim.id, lee.id, kim.id])
            #expect(stored != nil)
            let inbox = try await core.mail.mailbox(role: .inbox, of: kim)
            let entries = try await core.mail.entries(mailboxID: inbox.id, of: kim)
            #expect(entries.map(\.uid) == [1])
            let entry = entries[0]
            #expect(entry.summary.subject == "안녕 lunch")
            #expect(entry.summary.from == "Park <park@other.example>")
            #expect(entry.summary.messageID == "<=?utf-8?B?7JWI64WV?=.lunch@other.example>")
            #expect(entry.summary.date == 1_796_393_700_000, "23:15 +0900 is 14:15 UTC")
            #expect(entry.summary.hasAttachments)
            #expect(entry.size == raw.count && entry.flags.isEmpty)
            #expect(try await core.mail.raw(mailboxID: inbox.id, uids: [1...1], of: kim)[1] == raw)
            let header = try await core.mail.headers(mailboxID: inbox.id, uids: [1...1], of: kim)[1]!
            #expect(String(decoding: header, as: UTF8.self).hasSuffix("multipart/mixed; boundary=x\r\n\r\n"))
            // One copy of the bytes for both members.
            let count = try await core.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM mail_messages").first()!.decode(column: "n", as: Int.self)
            }
            #expect(count == 1)
            try await core.mail.deliver(Self.message("second"), to: [kim.id])
            #expect(try await core.mail.entries(mailboxID: inbox.id, of: kim).map(\.uid) == [1, 2])
            let status = try await core.mail.status(mailboxID: inbox.id, of: kim)
            #expect(status.messages == 2 && status.unseen == 2 && status.recent == 2 && status.uidNext == 3)
            #expect(try await core.mail.claimRecent(mailboxID: inbox.id, of: kim) == 1)
            #expect(try await core.mail.status(mailboxID: inbox.id, of: kim).recent == 0)
            try await core.log.waitUntilDelivered()
            kimEvents.cancel()
            var heard = 0
            for await event in kimEvents.events {
                if case .mailbox(let account, let mailbox) = event.payload, account == kim.id, mailbox == inbox.id { heard += 1 }
            }
            #expect(heard == 2)
        }
    }

    /// Deliveries racing into one mailbox (as from several nodes) get distinct, gap-free uids.
    @Test(arguments: TestEngine.all)
    func concurrentDeliveriesGetUniqueUIDs(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            _ = try await core.mail.mailboxes(of: kim)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask { try await core.mail.deliver(Self.message("n\(index)"), to: [kim.id]) }
                }
                try await group.waitForAll()
            }
            let inbox = try await core.mail.mailbox(role: .inbox, of: kim)
            #expect(try await core.mail.entries(mailboxID: inbox.id, of: kim).map(\.uid) == Array(1...40))
        }
    }

    @Test(arguments: TestEngine.all)
    func flagsKeywordsAndConditionalStore(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            for index in 1...3 { try await core.mail.deliver(Self.message("m\(index)"), to: [kim.id]) }
            let inbox = try await core.mail.mailbox(role: .inbox, of: kim)
            let before = try await core.mail.status(mailboxID: inbox.id, of: kim).highestModseq
            let added = try await core.mail.store(mailboxID: inbox.id, uids: [1...2], flags: [.seen, .flagged], keywords: ["$Forwarded"], .add, of: kim)
            #expect(added.changed.map(\.uid) == [1, 2] && added.refused.isEmpty)
            #expect(added.changed.allSatisfy { $0.flags == [.seen, .flagged] && $0.keywords == ["$Forwarded"] && $0.modseq > before })
            // Adding what is there changes nothing (and no modseq).
            let again = try await core.mail.store(mailboxID: inbox.id, uids: [1...1], flags: [.seen], .add, of: kim)
            #expect(again.changed.isEmpty)
            let removed = try await core.mail.store(mailboxID: inbox.id, uids: [2...2], flags: [.flagged], keywords: ["$forwarded"], .remove, of: kim)
            #expect(removed.changed.first?.flags == [.seen] && removed.changed.first?.keywords == [])
            let replaced = try await core.mail.store(mailboxID: inbox.id, uids: [1...3], flags: [.answered], keywords: ["Work"], .replace, of: kim)
            #expect(replaced.changed.map(\.uid) == [1, 2, 3])
            #expect(try await core.mail.status(mailboxID: inbox.id, of: kim).unseen == 3)
            // UNCHANGEDSINCE: an entry changed after the given modseq is refused.
            let modseq = replaced.changed[0].modseq
            _ = try await core.mail.store(mailboxID: inbox.id, uids: [3...3], flags: [.flagged], .add, of: kim)
            let conditional = try await core.mail.store(mailboxID: inbox.id, uids: [1...3], flags: [.deleted], .add, unchangedSince: modseq, of: kim)
            #expect(conditional.changed.map(\.uid) == [1, 2] && conditional.refused == [3])
            await #expect(throws: CoreError.invalid("mail_bad_keyword", field: "keywords")) {
                _ = try await core.mail.store(mailboxID: inbox.id, uids: [1...1], flags: [], keywords: ["\\Seen"], .add, of: kim)
            }
            let changes = try await core.mail.changes(mailboxID: inbox.id, since: modseq, of: kim)
            #expect(changes.changed.map(\.uid) == [1, 2, 3] && changes.expunged.isEmpty)
        }
    }

    @Test(arguments: TestEngine.all)
    func copyMoveExpungeAndTheBytesGoWithTheLastCopy(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            for index in 1...4 { try await core.mail.deliver(Self.message("m\(index)"), to: [kim.id]) }
            let inbox = try await core.mail.mailbox(role: .inbox, of: kim), trash = try await core.mail.mailbox(role: .trash, of: kim)
            let work = try await core.mail.createMailbox(named: "Work", of: kim)
            _ = try await core.mail.store(mailboxID: inbox.id, uids: [1...1], flags: [.flagged], .add, of: kim)
            let copied = try await core.mail.copy(mailboxID: inbox.id, uids: [1...2], to: work.id, of: kim)
            #expect(copied == CopyResult(uidValidity: work.uidValidity, sourceUIDs: [1, 2], destinationUIDs: [1, 2]))
            #expect(try await core.mail.entries(mailboxID: work.id, of: kim).map(\.flags) == [[.flagged], []])
            let moved = try await core.mail.move(mailboxID: inbox.id, uids: [2...3, 9...20], to: trash.id, of: kim)
            #expect(moved.sourceUIDs == [2, 3] && moved.destinationUIDs == [1, 2])
            #expect(try await core.mail.entries(mailboxID: inbox.id, of: kim).map(\.uid) == [1, 4])
            let afterMove = try await core.mail.changes(mailboxID: inbox.id, since: 1, of: kim)
            #expect(afterMove.expunged == [2, 3])
            _ = try await core.mail.store(mailboxID: inbox.id, uids: [1...4], flags: [.deleted], .add, of: kim)
            #expect(try await core.mail.expunge(mailboxID: inbox.id, uids: [4...4], of: kim) == [4])
            #expect(try await core.mail.expunge(mailboxID: inbox.id, of: kim) == [1])
            #expect(try await core.mail.entries(mailboxID: inbox.id, of: kim).isEmpty)
            func stored() async throws -> Int {
                try await core.database.read { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM mail_messages").first()!.decode(column: "n", as: Int.self)
                }
            }
            #expect(try await stored() == 3, "m4 is gone; m1 and m2 live in Work, m2 and m3 in Trash")
            try await core.mail.deleteMailbox(id: work.id, of: kim)
            #expect(try await stored() == 2)
            // A new message after an expunge never reuses a uid.
            try await core.mail.deliver(Self.message("m5"), to: [kim.id])
            #expect(try await core.mail.entries(mailboxID: inbox.id, of: kim).map(\.uid) == [5])
            let appended = try await core.mail.append(Self.message("draft"), to: trash.id, flags: [.draft, .seen], internalDate: 1_000_000, of: kim)
            #expect(appended == (trash.uidValidity, 3))
            let draft = try await core.mail.entries(mailboxID: trash.id, uids: [3...3], of: kim)[0]
            #expect(draft.flags == [.draft, .seen] && draft.internalDate == 1_000_000)
        }
    }

    @Test(arguments: TestEngine.all)
    func renameTakesChildrenAndRenamingInboxMovesItsMessages(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            let parent = try await core.mail.createMailbox(named: "Projects", of: kim)
            _ = try await core.mail.createMailbox(named: "Projects/2026", of: kim)
            _ = try await core.mail.createMailbox(named: "Projects2", of: kim)
            let renamed = try await core.mail.renameMailbox(id: parent.id, to: "Archive", of: kim)
            #expect(renamed.name == "Archive" && renamed.uidValidity == parent.uidValidity)
            let names = try await core.mail.mailboxes(of: kim).map(\.name)
            #expect(names.contains("Archive/2026") && names.contains("Projects2") && !names.contains("Projects"))
            await #expect(throws: CoreError.invalid("mail_bad_mailbox_name", field: "name")) {
                _ = try await core.mail.renameMailbox(id: parent.id, to: "Archive/2026/inner", of: kim)
            }
            await #expect(throws: CoreError(.conflict, "mail_mailbox_exists", field: "name")) {
                _ = try await core.mail.renameMailbox(id: parent.id, to: "Sent", of: kim)
            }
            try await core.mail.deliver(Self.message("old"), to: [kim.id])
            let inbox = try await core.mail.mailbox(role: .inbox, of: kim)
            let old = try await core.mail.renameMailbox(id: inbox.id, to: "Old INBOX", of: kim)
            #expect(try await core.mail.entries(mailboxID: old.id, of: kim).map(\.summary.subject) == ["old"])
            #expect(try await core.mail.entries(mailboxID: inbox.id, of: kim).isEmpty)
            #expect(try await core.mail.mailbox(role: .inbox, of: kim).name == "INBOX")
        }
    }

    /// Nobody reaches another member's mail, and a suspended member reaches none of their own; delivery
    /// skips them.
    @Test(arguments: TestEngine.all)
    func onlyTheOwnerAndOnlyWhileTheyMaySignIn(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let root = try await Self.admin(core)
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            try await core.mail.deliver(Self.message("private"), to: [kim.id])
            let inbox = try await core.mail.mailbox(role: .inbox, of: kim)
            await #expect(throws: CoreError.notFound) { _ = try await core.mail.entries(mailboxID: inbox.id, of: lee) }
            await #expect(throws: CoreError.notFound) { _ = try await core.mail.raw(mailboxID: inbox.id, uids: [1...1], of: lee) }
            await #expect(throws: CoreError.notFound) {
                _ = try await core.mail.store(mailboxID: inbox.id, uids: [1...1], flags: [.deleted], .add, of: lee)
            }
            let leeInbox = try await core.mail.mailbox(role: .inbox, of: lee)
            await #expect(throws: CoreError.notFound) { _ = try await core.mail.copy(mailboxID: inbox.id, uids: [1...1], to: leeInbox.id, of: lee) }
            await #expect(throws: CoreError.notFound) { _ = try await core.mail.copy(mailboxID: leeInbox.id, uids: [1...1], to: inbox.id, of: lee) }
            await #expect(throws: CoreError.notFound) { try await core.mail.deleteMailbox(id: inbox.id, of: lee) }
            // The account as the caller holds it is stale: the store's says suspended.
            _ = try await core.accounts.setSuspended(actor: root, target: kim.id, suspended: true, reason: "spam")
            await #expect(throws: CoreError(.forbidden, "account_suspended")) { _ = try await core.mail.entries(mailboxID: inbox.id, of: kim) }
            await #expect(throws: CoreError(.forbidden, "account_suspended")) { _ = try await core.mail.mailboxes(of: kim) }
            #expect(try await core.mail.deliver(Self.message("after"), to: [kim.id]) == nil)
            // A mail-only account uses mail.
            var mailOnly = AccountService.NewAccount(username: "post", password: "correct horse battery")
            mailOnly.emailOnly = true
            let post = try await core.accounts.create(mailOnly)
            #expect(try await core.mail.mailboxes(of: post).count == 5)
        }
    }

    @Test func datesAndHeaders() {
        #expect(MailDate.parse("Thu, 1 Jan 1970 00:00:01 +0000") == 1000)
        #expect(MailDate.parse("1 Jan 1970 01:00:00 +0100") == 0)
        #expect(MailDate.parse("Sat, 05 Dec 2026 00:00:00 GMT (UTC)") == 1_796_428_800_000)
        #expect(MailDate.parse("yesterday") == nil)
        #expect(MailDate.format(1_796_428_800_000) == "Sat, 5 Dec 2026 00:00:00 +0000")
        let header = MailHeader(Array("Subject: a\r\n folded\r\nX: y\r\n\r\nbody".utf8))
        #expect(header.value("subject") == "a folded" && header.size == 29)
        #expect(MailHeader(Array("no header".utf8)).size == 9)
    }
}
