import StarconIMAP
import Testing

@Suite("IMAP command parser")
struct CommandParserTests {
    static func parse(_ text: String) -> Result<TaggedCommand, IMAPParseError> { CommandParser.parse(Array(text.utf8)) }

    static let accepted: [(String, IMAPCommand)] = [
        ("a1 CAPABILITY", .capability),
        ("a1b starttls", .startTLS),
        ("a1 noop", .noop),
        ("A.1 LOGOUT", .logout),
        ("t LOGIN kim secret", .login(user: "kim", password: "secret")),
        ("t LOGIN \"kim\" \"se \\\"cr\\\\et\"", .login(user: "kim", password: "se \"cr\\et")),
        ("t LOGIN {3}\r\nkim {6}\r\nsecret", .login(user: "kim", password: "secret")),
        ("t LOGIN {3+}\r\nkim \"비밀\"", .login(user: "kim", password: "비밀")),
        ("t AUTHENTICATE plain", .authenticate(mechanism: "PLAIN", initialResponse: nil)),
        ("t AUTHENTICATE PLAIN AGtpbQBzZWNyZXQ=", .authenticate(mechanism: "PLAIN", initialResponse: "AGtpbQBzZWNyZXQ=")),
        ("t SELECT inbox", .select("INBOX")),
        ("t EXAMINE \"Sent\"", .examine("Sent")),
        ("t CREATE &vPStAA-", .create("보관")),
        ("t CREATE \"Tom &- Jerry\"", .create("Tom & Jerry")),
        ("t DELETE Old", .delete("Old")),
        ("t RENAME Old New", .rename(from: "Old", to: "New")),
        ("t SUBSCRIBE Sent", .subscribe("Sent")),
        ("t UNSUBSCRIBE Sent", .unsubscribe("Sent")),
        ("t LIST \"\" *", .list(reference: "", pattern: "*")),
        ("t LIST \"\" \"%\"", .list(reference: "", pattern: "%")),
        ("t LSUB \"\" Work/%", .lsub(reference: "", pattern: "Work/%")),
        ("t STATUS INBOX (MESSAGES UNSEEN uidnext UIDVALIDITY RECENT)", .status("INBOX", [.messages, .unseen, .uidNext, .uidValidity, .recent])),
        ("t APPEND Drafts {5}\r\nHello", .append("Drafts", flags: [], internalDate: nil, message: Array("Hello".utf8))),
        ("t APPEND INBOX (\\seen $Work) \" 4-Dec-2026 23:15:00 +0100\" {2+}\r\nHi",
         .append("INBOX", flags: ["\\Seen", "$Work"], internalDate: 1_796_422_500_000, message: Array("Hi".utf8))),
        ("t NAMESPACE", .namespace),
        ("t ENABLE UTF8=ACCEPT condstore", .enable(["UTF8=ACCEPT", "CONDSTORE"])),
        ("t IDLE", .idle),
        ("t ID (\"name\" \"mutt\" \"version\" NIL)", .id([IDParameter("name", "mutt"), IDParameter("version", nil)])),
        ("t ID NIL", .id(nil)),
        ("t CHECK", .check), ("t CLOSE", .close), ("t UNSELECT", .unselect), ("t EXPUNGE", .expunge),
        ("t UID EXPUNGE 3:5", .uidExpunge(SequenceSet([SequenceRange(.number(3), .number(5))]))),
        ("t FETCH 1:* (FLAGS UID)", .fetch(SequenceSet([SequenceRange(.number(1), .last)]), [.flags, .uid], uid: false)),
        ("t FETCH 2,4:5 ALL", .fetch(SequenceSet([SequenceRange(.number(2)), SequenceRange(.number(4), .number(5))]), FetchAttribute.all, uid: false)),
        ("t FETCH * FAST", .fetch(SequenceSet([SequenceRange(.last)]), FetchAttribute.fast, uid: false)),
        ("t FETCH 1 FULL", .fetch(SequenceSet([SequenceRange(.number(1))]), FetchAttribute.full, uid: false)),
        ("t FETCH 1 (ENVELOPE BODYSTRUCTURE INTERNALDATE RFC822.SIZE BODY)",
         .fetch(SequenceSet([SequenceRange(.number(1))]), [.envelope, .bodyStructure, .internalDate, .rfc822Size, .body], uid: false)),
        ("t FETCH 1 BODY[]", .fetch(SequenceSet([SequenceRange(.number(1))]), [.section(SectionSpec(), peek: false, partial: nil)], uid: false)),
        ("t FETCH 1 (BODY.PEEK[1.2.MIME] BODY[TEXT]<0.100>)",
         .fetch(SequenceSet([SequenceRange(.number(1))]), [.section(SectionSpec(part: [1, 2], text: .mime), peek: true, partial: nil),
                                                       .section(SectionSpec(text: .text), peek: false, partial: .init(offset: 0, length: 100))], uid: false)),
        ("t FETCH 1 BODY.PEEK[HEADER.FIELDS (From Subject)]",
         .fetch(SequenceSet([SequenceRange(.number(1))]), [.section(SectionSpec(text: .headerFields(["FROM", "SUBJECT"])), peek: true, partial: nil)], uid: false)),
        ("t FETCH 1 BODY[2.HEADER.FIELDS.NOT (X-A)]",
         .fetch(SequenceSet([SequenceRange(.number(1))]), [.section(SectionSpec(part: [2], text: .headerFieldsNot(["X-A"])), peek: false, partial: nil)], uid: false)),
        ("t FETCH 1 (RFC822 RFC822.HEADER RFC822.TEXT)", .fetch(SequenceSet([SequenceRange(.number(1))]), [.rfc822, .rfc822Header, .rfc822Text], uid: false)),
        ("t UID FETCH 10:* FLAGS", .fetch(SequenceSet([SequenceRange(.number(10), .last)]), [.uid, .flags], uid: true)),
        ("t STORE 1 +FLAGS (\\Seen)", .store(SequenceSet([SequenceRange(.number(1))]), StoreAction(.add, flags: ["\\Seen"]), uid: false)),
        ("t STORE 1:3 -FLAGS.SILENT \\Deleted \\flagged", .store(SequenceSet([SequenceRange(.number(1), .number(3))]),
                                                                  StoreAction(.remove, silent: true, flags: ["\\Deleted", "\\Flagged"]), uid: false)),
        ("t UID STORE 7 FLAGS ()", .store(SequenceSet([SequenceRange(.number(7))]), StoreAction(.replace, flags: []), uid: true)),
        ("t COPY 1:2 Trash", .copy(SequenceSet([SequenceRange(.number(1), .number(2))]), "Trash", uid: false)),
        ("t UID MOVE 5 \"Junk\"", .move(SequenceSet([SequenceRange(.number(5))]), "Junk", uid: true)),
        ("t SEARCH ALL", .search(.all, uid: false)),
        ("t SEARCH CHARSET UTF-8 SUBJECT \"회의\"", .search(.subject("회의"), uid: false)),
        ("t UID SEARCH UNSEEN FROM \"kim\"", .search(.and([.unseen, .from("kim")]), uid: true)),
        ("t SEARCH OR SEEN (FLAGGED LARGER 100) NOT DELETED", .search(.and([.or(.seen, .and([.flagged, .larger(100)])), .not(.deleted)]), uid: false)),
        ("t SEARCH SINCE 1-Feb-2026 BEFORE \"15-Dec-2026\"",
         .search(.and([.since(SearchDate(year: 2026, month: 2, day: 1)), .before(SearchDate(year: 2026, month: 12, day: 15))]), uid: false)),
        ("t SEARCH 1:3 UID 5,7 HEADER X-Spam yes KEYWORD $Work",
         .search(.and([.sequence(SequenceSet([SequenceRange(.number(1), .number(3))])), .uid(SequenceSet([SequenceRange(.number(5)), SequenceRange(.number(7))])),
                       .header("X-Spam", "yes"), .keyword("$Work")]), uid: false)),
        // CONDSTORE (RFC 7162)
        ("t SELECT INBOX (CONDSTORE)", .select("INBOX", condStore: true)),
        ("t EXAMINE Sent (condstore)", .examine("Sent", condStore: true)),
        ("t FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)",
         .fetch(SequenceSet([SequenceRange(.number(1), .last)]), [.flags, .modseq], uid: false, changedSince: 12345)),
        ("t UID FETCH 1 (MODSEQ)", .fetch(SequenceSet([SequenceRange(.number(1))]), [.uid, .modseq], uid: true)),
        ("t STORE 1 (UNCHANGEDSINCE 0) +FLAGS.SILENT (\\Seen)",
         .store(SequenceSet([SequenceRange(.number(1))]), StoreAction(.add, silent: true, flags: ["\\Seen"], unchangedSince: 0), uid: false)),
        ("t SEARCH MODSEQ 620162338", .search(.modseq(620162338), uid: false)),
        ("t SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338", .search(.modseq(620162338), uid: false)),
        ("t STATUS INBOX (HIGHESTMODSEQ)", .status("INBOX", [.highestModseq])),
    ]

    @Test(arguments: accepted)
    func parses(line: String, command: IMAPCommand) throws {
        let parsed = try Self.parse(line).get()
        #expect(parsed.command == command)
    }

    static let refused: [(String, String?, String)] = [
        ("", nil, "expected a tag"),
        ("+tag NOOP", nil, "expected a tag"),
        ("a1", "a1", "expected a space"),
        ("a1 FROB", "a1", "unknown command"),
        ("a1 NOOP extra", "a1", "unexpected characters after the command"),
        ("a1 LOGIN kim", "a1", "expected a space"),
        ("a1 LOGIN \"kim secret", "a1", "unterminated quoted string"),
        ("a1 LOGIN \"k\\im\" x", "a1", "bad escape in quoted string"),
        ("a1 SELECT &Jjo", "a1", "mailbox name is not valid modified UTF-7"),
        ("a1 FETCH 0 FLAGS", "a1", "a sequence number must not be 0"),
        ("a1 FETCH 1:99999999999 FLAGS", "a1", "a sequence number is too large"),
        ("a1 FETCH 1 (FLAGS", "a1", "expected )"),
        ("a1 FETCH 1 BODY[4.FOO]", "a1", "bad section"),
        ("a1 FETCH 1 BODY[MIME]", "a1", "bad section"),
        ("a1 FETCH 1 BODY.PEEK", "a1", "BODY.PEEK needs a section"),
        ("a1 FETCH 1 BODY[]<5.0>", "a1", "a length must not be 0"),
        ("a1 STORE 1 FLAGZ (\\Seen)", "a1", "expected FLAGS"),
        ("a1 SEARCH CHARSET KOI8-R ALL", "a1", "[BADCHARSET (UTF-8 US-ASCII)] unknown charset"),
        ("a1 SEARCH FROBNICATE", "a1", "unknown search key FROBNICATE"),
        ("a1 SELECT INBOX (QRESYNC)", "a1", "unknown select parameter QRESYNC"),
        ("a1 FETCH 1 FLAGS (CHANGEDSINCE x)", "a1", "expected a mod-sequence"),
        ("a1 FETCH 1 FLAGS (CHANGEDSINCE 99999999999999999999)", "a1", "bad mod-sequence"),
        ("a1 FETCH 1 FLAGS (VANISHED)", "a1", "unknown fetch modifier"),
        ("a1 STORE 1 (UNCHANGEDSINCE) +FLAGS \\Seen", "a1", "expected a space"),
        ("a1 SEARCH MODSEQ \"/flags/x\" mine 5", "a1", "bad entry type"),
        ("a1 SEARCH " + String(repeating: "NOT ", count: 40) + "ALL", "a1", "nested too deeply"),
        ("a1 SEARCH " + String(repeating: "(", count: 40) + "ALL" + String(repeating: ")", count: 40), "a1", "nested too deeply"),
        ("a1 APPEND INBOX \"31-Foo-2026 00:00:00 +0000\" {1}\r\nx", "a1", "expected a month"),
        ("a1 APPEND INBOX", "a1", "expected a space"),
        ("a1 APPEND INBOX hello", "a1", "expected the message as a literal"),
        ("a1 LOGIN {10}\r\nkim", "a1", "literal shorter than its size"),
        ("a1 LOGIN k\u{0}m x", "a1", "expected a space"),
        ("a1 STATUS INBOX (SIZE)", "a1", "unknown status item SIZE"),
        ("a1 UID FROB 1", "a1", "unknown UID command"),
    ]

    @Test(arguments: refused)
    func refuses(line: String, tag: String?, message: String) {
        #expect(Self.parse(line) == .failure(IMAPParseError(tag: tag, message)))
    }

    @Test func sequenceSets() throws {
        let set = SequenceSet([SequenceRange(.number(5), .number(2)), SequenceRange(.last)])
        #expect(set.contains(3, largest: 9) && set.contains(9, largest: 9) && !set.contains(6, largest: 9))
        #expect(SequenceSet.compact([1, 2, 3, 5, 7, 8]).description == "1:3,5,7:8")
    }

    @Test func internalDates() {
        #expect(IMAPDate.format(milliseconds: 1_796_422_500_000) == "04-Dec-2026 22:15:00 +0000")
        #expect(IMAPDate.format(milliseconds: 0) == "01-Jan-1970 00:00:00 +0000")
    }
}
