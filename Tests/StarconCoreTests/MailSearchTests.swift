import Foundation
@testable import StarconCore
import Testing

@Suite("Mail search (n-gram index)")
struct MailSearchTests {
    static func message(subject: String, body: String, from: String = "Park <park@other.example>") -> [UInt8] {
        Array("""
            From: \(from)\r
            To: kim@starcon.local\r
            Subject: \(subject)\r
            Date: Fri, 4 Dec 2026 23:15:00 +0900\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: 8bit\r
            \r
            \(body)\r

            """.utf8)
    }

    @Test(arguments: TestEngine.all)
    func findsWordsInsideSentencesInEveryScript(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim"), lee = try await TestStore.member(core, "lee")
            _ = try await core.mail.mailboxes(of: kim)
            try await core.mail.deliver(Self.message(subject: "점심", body: "오늘 점심은 평양냉면이었습니다"), to: [kim.id])
            try await core.mail.deliver(Self.message(subject: "晚饭", body: "我们今天吃了冷面和饺子"), to: [kim.id])
            try await core.mail.deliver(Self.message(subject: "予定", body: "明日は東京で会議があります"), to: [kim.id])
            try await core.mail.deliver(Self.message(subject: "Привет", body: "Завтра будет Собрание в Москве", from: "Иван <ivan@other.example>"), to: [kim.id])
            try await core.mail.deliver(Self.message(subject: "Other", body: "nothing to see"), to: [lee.id])

            func subjects(_ query: String, _ field: TextSearchIndex.Field = .all, of member: Account? = nil) async throws -> [String] {
                try await core.mail.search(query, field: field, of: member ?? kim).map(\.summary.subject).sorted()
            }
            #expect(try await subjects("평양냉면") == ["점심"])
            #expect(try await subjects("冷面") == ["晚饭"], "two characters: the fallback")
            #expect(try await subjects("冷面和饺子") == ["晚饭"])
            #expect(try await subjects("東京で会議") == ["予定"])
            #expect(try await subjects("собрание") == ["Привет"], "Cyrillic compares without case")
            #expect(try await subjects("МОСКВ") == ["Привет"])
            #expect(try await subjects("иван", .sender) == ["Привет"])
            #expect(try await subjects("иван", .subject) == [])
            #expect(try await subjects("냉") == ["점심"], "one character")
            #expect(try await subjects("面") == ["晚饭"])
            #expect(try await subjects("park", .sender).count == 3)
            #expect(try await subjects("nothing") == [], "another member's mail is not found")
            #expect(try await subjects("nothing", of: lee) == ["Other"])
            #expect(try await subjects("100%") == [], "LIKE's wildcards are text")
            #expect(try await subjects("\"") == [])
            #expect(try await subjects("   ") == [])
        }
    }

    @Test(arguments: TestEngine.all)
    func appendIndexesAndExpungeForgets(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            let drafts = try await core.mail.mailbox(role: .drafts, of: kim)
            let (_, uid) = try await core.mail.append(Self.message(subject: "초안", body: "회의록 정리 중입니다"), to: drafts.id, flags: [.draft], of: kim)
            #expect(try await core.mail.search("회의록", of: kim).map(\.uid) == [uid])
            _ = try await core.mail.store(mailboxID: drafts.id, uids: [uid...uid], flags: [.deleted], .add, of: kim)
            _ = try await core.mail.expunge(mailboxID: drafts.id, uids: nil, of: kim)
            #expect(try await core.mail.search("회의록", of: kim).isEmpty)
            let left = try await core.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM search_documents WHERE kind = 'mail'").first()!.decode(column: "n", as: Int.self)
            }
            #expect(left == 0, "the index row goes with the message")
        }
    }

    @Test(arguments: TestEngine.all)
    func pagesGoBothWaysByUID(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            let inbox = try await core.mail.mailbox(role: .inbox, of: kim)
            for n in 1...7 { try await core.mail.deliver(Self.message(subject: "m\(n)", body: "x"), to: [kim.id]) }
            let first = try await core.mail.page(mailboxID: inbox.id, limit: 3, of: kim)
            #expect(first.entries.map(\.uid) == [7, 6, 5])
            #expect(first.newerFrom == nil && first.olderFrom == 5)
            let second = try await core.mail.page(mailboxID: inbox.id, before: 5, limit: 3, of: kim)
            #expect(second.entries.map(\.uid) == [4, 3, 2])
            #expect(second.olderFrom == 2 && second.newerFrom == 4)
            let last = try await core.mail.page(mailboxID: inbox.id, before: 2, limit: 3, of: kim)
            #expect(last.entries.map(\.uid) == [1] && last.olderFrom == nil)
            let back = try await core.mail.page(mailboxID: inbox.id, after: 4, limit: 3, of: kim)
            #expect(back.entries.map(\.uid) == [7, 6, 5])
            #expect(back.newerFrom == nil && back.olderFrom == 5)
            #expect(try await core.mail.unreadInInbox(of: kim) == 7)
            #expect(try await core.mail.unreadCounts(of: kim) == [inbox.id: 7])
        }
    }

    @Test(arguments: TestEngine.all)
    func threadsFollowReferences(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            let root = Array("From: a@x\r\nSubject: Plan\r\nMessage-ID: <root@x>\r\n\r\nhi\r\n".utf8)
            let reply = Array("From: b@x\r\nSubject: Re: Plan\r\nMessage-ID: <r1@x>\r\nIn-Reply-To: <root@x>\r\nReferences: <root@x>\r\n\r\nok\r\n".utf8)
            let deeper = Array("From: a@x\r\nSubject: Re: Plan\r\nMessage-ID: <r2@x>\r\nReferences: <root@x> <r1@x>\r\n\r\nfine\r\n".utf8)
            let other = Array("From: c@x\r\nSubject: Else\r\nMessage-ID: <o@x>\r\n\r\nno\r\n".utf8)
            for raw in [root, reply, deeper, other] { try await core.mail.deliver(raw, to: [kim.id]) }
            let inbox = try await core.mail.mailbox(role: .inbox, of: kim)
            let middle = try await core.mail.entry(mailboxID: inbox.id, uid: 2, of: kim)!
            #expect(try await core.mail.thread(of: middle, of: kim).map(\.uid) == [1, 2, 3])
            try await core.mail.setSignature("-- \nKim", of: kim)
            #expect(try await core.mail.signature(of: kim) == "-- \nKim")
        }
    }
}
