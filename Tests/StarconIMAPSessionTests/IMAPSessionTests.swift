import Foundation
import Logging
import NIOConcurrencyHelpers
import StarconCore
import StarconIMAP
@testable import StarconMailServer
import Testing

/// A session driven by command bytes, its replies collected as text.
final class Conversation {
    let output = NIOLockedValueBox<[UInt8]>([])
    let session: IMAPSession
    let core: Core

    init(core: Core) {
        self.core = core
        let output = self.output
        session = IMAPSession(core: core, peerAddress: "192.0.2.1") { bytes in output.withLockedValue { $0 += bytes } }
    }

    /// Sends one command (literals included, as the framer would deliver it); returns what came back.
    @discardableResult
    func say(_ text: String) async -> String { await say(Array(text.utf8)) }

    @discardableResult
    func say(_ bytes: [UInt8]) async -> String {
        _ = await session.receive(bytes)
        return take()
    }

    func take() -> String {
        output.withLockedValue { bytes in
            defer { bytes = [] }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}


enum SessionStore {
    static func withCore<T: Sendable>(_ body: (Core) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("starcon-imap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let core = try await Core.open(.sqlite(path: directory.appendingPathComponent("s.sqlite").path), logger: logger,
                                       domain: "starcon.local", mediaDirectory: directory.appendingPathComponent("media").path)
        do {
            let result = try await body(core)
            await core.close()
            return result
        } catch {
            await core.close()
            throw error
        }
    }

    static func member(_ core: Core, _ name: String) async throws -> Account {
        try await core.accounts.create(.init(username: name, displayName: name.capitalized, password: "correct horse battery"))
    }

    static func message(_ subject: String, body: String = "Hello.") -> [UInt8] {
        Array("""
            From: "Park, Ji" <park@other.example>\r
            To: kim@starcon.local, Lee <lee@starcon.local>\r
            Subject: \(subject)\r
            Message-ID: <\(subject.replacingOccurrences(of: " ", with: "."))@other.example>\r
            Date: Fri, 4 Dec 2026 23:15:00 +0900\r
            \r
            \(body)\r

            """.utf8)
    }
}

@Suite("IMAP session")
struct IMAPSessionTests {
    @Test func signInStatesAndCapabilities() async throws {
        try await SessionStore.withCore { core in
            _ = try await SessionStore.member(core, "kim")
            let c = Conversation(core: core)
            #expect(String(decoding: c.session.greeting, as: UTF8.self).hasPrefix("* OK [CAPABILITY IMAP4rev1 "))
            #expect(await c.say("a SELECT INBOX").hasPrefix("a BAD"))
            #expect(await c.say("b CAPABILITY").contains("AUTH=PLAIN"))
            #expect(await c.say("c LOGIN kim wrong").hasPrefix("c NO [AUTHENTICATIONFAILED]"))
            #expect(await c.say("d LOGIN kim@starcon.local \"correct horse battery\"").hasPrefix("d OK [CAPABILITY"))
            #expect(await c.say("e LOGIN kim x").hasPrefix("e BAD"))
            #expect(await c.say("f FETCH 1 FLAGS").hasPrefix("f BAD"), "nothing selected")
            #expect(await c.say("g LOGOUT").hasPrefix("* BYE"))
        }
    }

    @Test func startTLSOnlyWhenOfferedAndBeforeSignIn() async throws {
        try await SessionStore.withCore { core in
            _ = try await SessionStore.member(core, "kim")
            let plain = Conversation(core: core)
            #expect(!plain.session.capabilities.contains("STARTTLS"))
            #expect(await plain.say("a STARTTLS").hasPrefix("a BAD"))
            let output = NIOLockedValueBox<[UInt8]>([])
            let session = IMAPSession(core: core, peerAddress: "192.0.2.1", options: .init(offersStartTLS: true)) { bytes in
                output.withLockedValue { $0 += bytes }
            }
            #expect(session.capabilities.contains("STARTTLS"))
            #expect(await session.receive(Array("a STARTTLS".utf8)) == .startTLS(reply: Array("a OK Begin TLS negotiation now\r\n".utf8)))
            #expect(output.withLockedValue { $0 }.isEmpty, "the server writes the OK as it puts TLS in front")
            #expect(!session.capabilities.contains("STARTTLS"), "once only")
            #expect(await session.receive(Array("b STARTTLS".utf8)) == .carryOn)
        }
    }

    @Test func authenticatePlainWithAndWithoutInitialResponse() async throws {
        try await SessionStore.withCore { core in
            _ = try await SessionStore.member(core, "kim")
            let credentials = Data("\u{0}kim\u{0}correct horse battery".utf8).base64EncodedString()
            let c = Conversation(core: core)
            #expect(await c.say("a AUTHENTICATE PLAIN") == "+ \r\n")
            #expect(await c.say(credentials).hasPrefix("a OK"))
            let d = Conversation(core: core)
            #expect(await d.say("a AUTHENTICATE PLAIN \(credentials)").hasPrefix("a OK"))
            let e = Conversation(core: core)
            #expect(await e.say("a AUTHENTICATE PLAIN") == "+ \r\n")
            #expect(await e.say("*").hasPrefix("a BAD"))
            #expect(await e.say("b AUTHENTICATE CRAM-MD5").hasPrefix("b NO"))
        }
    }

    @Test func appendSelectFetchStoreSearchExpunge() async throws {
        try await SessionStore.withCore { core in
            _ = try await SessionStore.member(core, "kim")
            let c = Conversation(core: core)
            await c.say("a LOGIN kim \"correct horse battery\"")
            for subject in ["first note", "second note"] {
                let raw = SessionStore.message(subject)
                #expect(await c.say(Array("a APPEND INBOX (\\Flagged) {\(raw.count)}\r\n".utf8) + raw).contains("[APPENDUID "))
            }
            let selected = await c.say("b SELECT INBOX")
            #expect(selected.contains("* 2 EXISTS") && selected.contains("* 2 RECENT") && selected.contains("[UIDVALIDITY "))
            #expect(selected.contains("b OK [READ-WRITE]"))
            let envelope = await c.say("c FETCH 1 (UID ENVELOPE)")
            #expect(envelope.contains("\"first note\""))
            #expect(envelope.contains("((\"Park, Ji\" NIL \"park\" \"other.example\"))"), "\(envelope)")
            #expect(envelope.contains("((NIL NIL \"kim\" \"starcon.local\")(\"Lee\" NIL \"lee\" \"starcon.local\"))"))
            let header = await c.say("d FETCH 2 (BODY.PEEK[HEADER.FIELDS (Subject)])")
            #expect(header.contains("BODY[HEADER.FIELDS (SUBJECT)] {24}\r\nSubject: second note\r\n\r\n"), "\(header)")
            #expect(!(await c.say("e FETCH 2 FLAGS")).contains("\\Seen"))
            #expect(await c.say("f FETCH 2 BODY[TEXT]").contains("FLAGS (\\Seen"))
            #expect(await c.say("g SEARCH UNSEEN").contains("* SEARCH 1\r\n"))
            #expect(await c.say("h UID SEARCH SUBJECT second").contains("* SEARCH 2\r\n"))
            #expect(await c.say("i STORE 1 +FLAGS.SILENT (\\Deleted)") == "i OK STORE completed\r\n")
            let expunged = await c.say("j EXPUNGE")
            #expect(expunged.hasPrefix("* 1 EXPUNGE\r\n"))
            #expect(await c.say("k FETCH 1 UID").contains("* 1 FETCH (UID 2)"))
        }
    }

    @Test func copyMoveAndTryCreate() async throws {
        try await SessionStore.withCore { core in
            let kim = try await SessionStore.member(core, "kim")
            let inbox = try await core.mail.mailbox(role: .inbox, of: kim)
            for n in 1...3 { _ = try await core.mail.append(SessionStore.message("m\(n)"), to: inbox.id, of: kim) }
            let c = Conversation(core: core)
            await c.say("a LOGIN kim \"correct horse battery\"")
            await c.say("b SELECT INBOX")
            #expect(await c.say("c COPY 1 Nowhere").hasPrefix("c NO [TRYCREATE]"))
            #expect(await c.say("d COPY 1:2 Trash").hasPrefix("d OK [COPYUID "))
            let moved = await c.say("e UID MOVE 2 Junk")
            #expect(moved.hasPrefix("* OK [COPYUID ") && moved.contains("* 2 EXPUNGE\r\n"), "\(moved)")
            #expect(await c.say("f SEARCH ALL").contains("* SEARCH 1 2\r\n"))
            let list = await c.say("g LIST \"\" *")
            #expect(list.contains("* LIST (\\HasNoChildren \\Junk) \"/\" Junk"))
            #expect(await c.say("h STATUS Trash (MESSAGES UNSEEN)").contains("* STATUS Trash (MESSAGES 2 UNSEEN 2)"))
        }
    }

    @Test func changesFromElsewhereReachAnIdlingSession() async throws {
        try await SessionStore.withCore { core in
            let kim = try await SessionStore.member(core, "kim")
            let inbox = try await core.mail.mailbox(role: .inbox, of: kim)
            let c = Conversation(core: core)
            await c.say("a LOGIN kim \"correct horse battery\"")
            await c.say("b SELECT INBOX")
            #expect(await c.say("c IDLE") == "+ idling\r\n")
            _ = try await core.mail.append(SessionStore.message("live"), to: inbox.id, of: kim)
            _ = await c.session.mailboxChanged(inbox.id)
            #expect(c.take().contains("* 1 EXISTS\r\n"))
            _ = try await core.mail.store(mailboxID: inbox.id, uids: [1...1], flags: .flagged, .add, of: kim)
            _ = await c.session.mailboxChanged(inbox.id)
            #expect(c.take().contains("* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))"))
            #expect(await c.say("DONE") == "c OK IDLE terminated\r\n")
            // Outside IDLE, a change waits for the next command.
            _ = try await core.mail.append(SessionStore.message("later"), to: inbox.id, of: kim)
            _ = await c.session.mailboxChanged(inbox.id)
            #expect(c.take().isEmpty)
            #expect(await c.say("d NOOP").hasPrefix("* 2 EXISTS\r\n"))
        }
    }

    @Test func aSuspendedMemberIsRefused() async throws {
        try await SessionStore.withCore { core in
            _ = try await SessionStore.member(core, "kim")
            let kim = try #require(try await core.accounts.find(username: "kim"))
            let c = Conversation(core: core)
            await c.say("a LOGIN kim \"correct horse battery\"")
            await c.say("b SELECT INBOX")
            var admin = AccountService.NewAccount(username: "root", password: "correct horse battery")
            admin.role = .admin
            let root = try await core.accounts.create(admin)
            _ = try await core.accounts.setSuspended(actor: root, target: kim.id, suspended: true, reason: "test")
            #expect(await !c.session.memberStillAllowed())
            #expect(await c.say("c NOOP").hasPrefix("* BYE"))
            let d = Conversation(core: core)
            #expect(await d.say("a LOGIN kim \"correct horse battery\"").hasPrefix("a NO [AUTHORIZATIONFAILED]"))
        }
    }

    /// ENVELOPE and BODYSTRUCTURE are stored with the message (migration 84); a message stored before has
    /// them built from its bytes, and both ways give the same answer.
    @Test func storedEnvelopeAndStructureMatchTheOnesBuiltFromTheBytes() async throws {
        try await SessionStore.withCore { core in
            let kim = try await SessionStore.member(core, "kim")
            let inbox = try await core.mail.mailbox(role: .inbox, of: kim)
            _ = try await core.mail.append(SessionStore.message("stored one"), to: inbox.id, of: kim)
            _ = try await core.mail.append(SessionStore.message("older one"), to: inbox.id, of: kim)
            let c = Conversation(core: core)
            await c.say("a LOGIN kim \"correct horse battery\"")
            await c.say("b SELECT INBOX")
            let stored = await c.say("c FETCH 1:2 (ENVELOPE BODYSTRUCTURE FLAGS)")
            #expect(stored.contains("ENVELOPE (\"Fri, 4 Dec 2026 23:15:00 +0900\" \"older one\""), "\(stored)")
            try await core.database.write { db in
                try await db.raw("UPDATE mail_messages SET imap_envelope = NULL, imap_body_structure = NULL WHERE subject = 'older one'").run()
            }
            #expect(await c.say("c FETCH 1:2 (ENVELOPE BODYSTRUCTURE FLAGS)") == stored)
            #expect(await c.say("d FETCH 2 BODYSTRUCTURE").contains("BODYSTRUCTURE (\"TEXT\" \"PLAIN\""))
        }
    }

    @Test func bodyStructureAndPartSectionsFollowTheMIMETree() async throws {
        try await SessionStore.withCore { core in
            let kim = try await SessionStore.member(core, "kim")
            let inbox = try await core.mail.mailbox(role: .inbox, of: kim)
            let raw = Array("""
                From: park@other.example\r
                To: kim@starcon.local\r
                Subject: =?UTF-8?B?7JWI64WV?=\r
                MIME-Version: 1.0\r
                Content-Type: multipart/mixed; boundary="b1"\r
                \r
                --b1\r
                Content-Type: text/plain; charset=utf-8\r
                Content-Transfer-Encoding: base64\r
                \r
                7JWI64WV7ZWY7IS47JqUIG5hbmdtYW4=\r
                --b1\r
                Content-Type: application/pdf; name="a.pdf"\r
                Content-Disposition: attachment; filename="a.pdf"\r
                \r
                PDFDATA\r
                --b1--\r

                """.utf8)
            _ = try await core.mail.append(raw, to: inbox.id, of: kim)
            let c = Conversation(core: core)
            await c.say("a LOGIN kim \"correct horse battery\"")
            await c.say("b SELECT INBOX")
            let structure = await c.say("c FETCH 1 BODYSTRUCTURE")
            #expect(structure.contains("BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"BASE64\" 32 1"), "\(structure)")
            #expect(structure.contains("(\"APPLICATION\" \"PDF\" (\"NAME\" \"a.pdf\") NIL NIL \"7BIT\" 7 NIL (\"ATTACHMENT\" (\"FILENAME\" \"a.pdf\")) NIL NIL) \"MIXED\" (\"BOUNDARY\" \"b1\")"), "\(structure)")
            #expect(await c.say("d FETCH 1 BODY.PEEK[2]").contains("BODY[2] {7}\r\nPDFDATA)"))
            #expect(await c.say("e FETCH 1 BODY.PEEK[2.MIME]").contains("Content-Disposition: attachment; filename=\"a.pdf\"\r\n\r\n"))
            #expect(await c.say("f FETCH 1 BODY.PEEK[3]").contains("BODY[3] {0}\r\n)"))
            #expect(await c.say("g FETCH 1 ENVELOPE").contains("\"=?UTF-8?B?7JWI64WV?=\""), "left encoded")
            #expect(await c.say("h SEARCH BODY nangman").contains("* SEARCH 1\r\n"), "base64 body decoded")
            let korean = await c.say(Array("i SEARCH CHARSET UTF-8 SUBJECT {6}\r\n안녕".utf8))
            #expect(korean.contains("* SEARCH 1\r\n"), "\(korean)")
        }
    }
}
