import Foundation
import Logging
import StarconCore
import StarconIMAP
@testable import StarconMailServer
import Testing

/// SEARCH answered through the store (SQL over the summary columns, the text index) must equal the exact rules
/// applied to every message of the mailbox, on SQLite and PostgreSQL.
@Suite("IMAP SEARCH through the store")
struct SearchThroughStoreTests {
    enum Engine: String, CaseIterable, Sendable { case sqlite, postgres }
    static var engines: [Engine] {
        ProcessInfo.processInfo.environment["STARCON_TEST_POSTGRES_URL"] != nil ? [.sqlite, .postgres] : [.sqlite]
    }

    static let queries = [
        "ALL", "SEEN", "UNSEEN", "FLAGGED", "UNFLAGGED DELETED", "ANSWERED", "DRAFT", "NOT SEEN", "NOT DRAFT",
        "SUBJECT report", "SUBJECT REPORT", "SUBJECT \"\"", "FROM park", "FROM PARK@OTHER", "TO lee", "CC kim", "NOT SUBJECT report",
        "BODY lighthouse", "BODY LIGHTHOUSE", "TEXT lighthouse", "TEXT Message-ID", "TEXT other.example", "BODY attachment-word",
        "BODY html-only-word", "TEXT qp-word", "BODY b64word", "NOT BODY lighthouse", "OR SUBJECT report BODY lighthouse",
        "LARGER 600", "SMALLER 600", "NOT LARGER 600", "BEFORE 3-Dec-2026", "ON 3-Dec-2026", "SINCE 3-Dec-2026",
        "SENTBEFORE 2-Dec-2026", "SENTON 2-Dec-2026", "SENTSINCE 2-Dec-2026", "NOT SENTON 2-Dec-2026",
        "UID 2:4", "UID 5:*", "UID *", "NOT UID 1:3", "2:4", "NOT 1", "KEYWORD $Work", "UNKEYWORD $Work", "BCC secret",
        "HEADER X-Mailer bench", "HEADER List-Id \"\"", "(SEEN FLAGGED) OR SUBJECT 회의 BODY 図書館", "NOT (SEEN OR FLAGGED ANSWERED)",
        "SEEN NOT SUBJECT report SINCE 1-Dec-2026 SMALLER 2000",
    ]
    static let utf8Queries = ["SUBJECT 회의", "BODY 図書館", "TEXT 图书馆", "BODY 냉면", "TEXT Jürgen", "FROM 王芳", "SUBJECT 報告", "TEXT 館"]

    @Test(arguments: engines)
    func storeSearchEqualsScanningEveryMessage(_ engine: Engine) async throws {
        try await Self.withCore(engine) { core in
            let kim = try await SessionStore.member(core, "kim")
            let inbox = try await core.mail.mailbox(role: .inbox, of: kim)
            for (index, fixture) in Self.fixtures.enumerated() {
                _ = try await core.mail.append(Array(fixture.raw.utf8), to: inbox.id, flags: fixture.flags, keywords: fixture.keywords,
                                               internalDate: Int64(1_764_633_600_000 + index * 43_200_000), of: kim)
            }
            let c = Conversation(core: core)
            _ = await c.say("a LOGIN kim \"correct horse battery\"")
            _ = await c.say("b SELECT INBOX")
            let entries = try await core.mail.entries(mailboxID: inbox.id, of: kim)
            let raw = try await core.mail.raw(mailboxID: inbox.id, uids: [1...Int64.max], of: kim)
            let index = MessageIndex(uids: entries.map { UInt32($0.uid) })
            var checked = 0
            for query in Self.queries + Self.utf8Queries {
                let utf8 = !query.unicodeScalars.allSatisfy(\.isASCII)
                let line = Self.withLiterals(utf8 ? "t UID SEARCH CHARSET UTF-8 \(query)" : "t UID SEARCH \(query)")
                guard case .success(let command) = CommandParser.parse(Array(line.utf8)), case .search(let key, _) = command.command else {
                    Issue.record("did not parse: \(line)"); continue
                }
                // The exact rules over every message, as SEARCH did before it asked the store.
                let scan = MessageSearch(key: key, index: index, recentFrom: Int64.max, now: 0)
                var expected: [UInt32] = []
                for (position, entry) in entries.enumerated() where scan.matches(entry, sequence: position + 1, raw: raw[entry.uid]) {
                    expected.append(UInt32(entry.uid))
                }
                let reply = await c.say(line)
                let found = reply.split(separator: "\r\n").first { $0.hasPrefix("* SEARCH") }
                    .map { $0.dropFirst(8).split(separator: " ").compactMap { UInt32($0) } } ?? []
                #expect(found == expected, "\(engine) \(query): store \(found), scan \(expected)")
                #expect(reply.contains("t OK"), "\(query): \(reply)")
                checked += expected.isEmpty ? 0 : 1
            }
            #expect(checked > 30, "most queries find something, so equality means something")
        }
    }

    /// Non-ASCII words as literals, as a client sends them.
    static func withLiterals(_ line: String) -> String {
        line.split(separator: " ").map { word in
            word.unicodeScalars.allSatisfy(\.isASCII) ? String(word) : "{\(word.utf8.count)}\r\n\(word)"
        }.joined(separator: " ")
    }

    struct Fixture {
        var raw: String
        var flags: MailFlags = []
        var keywords: [String] = []
    }

    static func plain(_ n: Int, subject: String, from: String = "\"Park, Ji\" <park@other.example>", body: String,
                      extra: String = "", date: String = "2 Dec 2026 10:00:00 +0000") -> String {
        "From: \(from)\r\nTo: Lee <lee@starcon.local>\r\nCc: kim@starcon.local\r\nSubject: \(subject)\r\nDate: Wed, \(date)\r\n"
            + "Message-ID: <m\(n)@other.example>\r\n\(extra)MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\(body)\r\n"
    }

    static let fixtures: [Fixture] = [
        Fixture(raw: plain(1, subject: "Quarterly report", body: "We walked to the old lighthouse after lunch."), flags: [.seen]),
        Fixture(raw: plain(2, subject: "=?UTF-8?B?7ZqM7J2YIOydvOyglQ==?=", from: "민준 <minjun@example.kr>",
                           body: "회의가 목요일 오후로 옮겨졌습니다. 평양냉면을 먹었어요."), flags: [.seen, .flagged]),
        Fixture(raw: plain(3, subject: "週報", from: "佐藤 <sato@example.jp>", body: "明日は図書館で資料を探します。", date: "3 Dec 2026 23:30:00 +0900"),
                flags: [.answered], keywords: ["$Work"]),
        Fixture(raw: plain(4, subject: "图书馆 hours", from: "=?UTF-8?B?546L6Iqz?= <wangfang@example.cn>", body: "我们在图书馆见面。",
                           extra: "Bcc: secret@starcon.local\r\n"), flags: [.deleted]),
        Fixture(raw: plain(5, subject: "Re: report", from: "Jürgen Weiß <juergen@example.de>", body: String(repeating: "Lange Zeile. ", count: 100),
                           extra: "X-Mailer: bench 1.0\r\n", date: "1 Dec 2026 08:00:00 -0800"), flags: [.draft]),
        Fixture(raw: "From: park@other.example\r\nTo: lee@starcon.local\r\nSubject: alternative\r\nDate: Tue, 1 Dec 2026 12:00:00 +0000\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\n\r\nqp-word caf=C3=A9 LIGHTHOUSE\r\n--b\r\nContent-Type: text/html\r\n\r\n"
                + "<p>html-only-word</p>\r\n--b--\r\n", flags: [.seen]),
        Fixture(raw: "From: park@other.example\r\nTo: lee@starcon.local\r\nSubject: attached\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nsee the file\r\n--m\r\n"
                + "Content-Type: text/plain; name=a.txt\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\nattachment-word\r\n"
                + "--m\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nYjY0d29yZA==\r\n--m--\r\n"),
        Fixture(raw: "From: html@other.example\r\nSubject: only html\r\nDate: Thu, 3 Dec 2026 01:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><b>html-only-word</b> and 図書館</body></html>\r\n", flags: [.seen, .answered]),
        Fixture(raw: "Subject: no date and no from\r\nContent-Transfer-Encoding: base64\r\nContent-Type: text/plain\r\n\r\nYjY0d29yZCBoZXJl\r\n"),
        Fixture(raw: plain(10, subject: "報告 and report", body: "nothing here", extra: "List-Id: <x.example>\r\n"), flags: [.flagged]),
    ]

    static func withCore<T: Sendable>(_ engine: Engine, _ body: (Core) async throws -> T) async throws -> T {
        guard engine == .postgres, let admin = ProcessInfo.processInfo.environment["STARCON_TEST_POSTGRES_URL"] else {
            return try await SessionStore.withCore(body)
        }
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        let adminDatabase = try await PostgresDatabase.open(url: admin, logger: logger)
        try await adminDatabase.read { db in try await db.raw("CREATE DATABASE \(unsafeRaw: String(name))").run() }
        var components = URLComponents(string: admin)!
        components.path = "/\(name)"
        let media = FileManager.default.temporaryDirectory.appendingPathComponent("starcon-imap-\(UUID().uuidString)").path
        let core = try await Core.open(.postgres(url: components.string!), logger: logger, domain: "starcon.local", mediaDirectory: media)
        let result: Result<T, any Error>
        do { result = .success(try await body(core)) } catch { result = .failure(error) }
        await core.close()
        try? await adminDatabase.read { db in try await db.raw("DROP DATABASE IF EXISTS \(unsafeRaw: String(name)) WITH (FORCE)").run() }
        await adminDatabase.close()
        try? FileManager.default.removeItem(atPath: media)
        return try result.get()
    }
}
