@testable import StarconNews
import Testing

@Suite("NNTP command parser")
struct CommandParserTests {
    static let now: Int64 = 1_764_000_000_000  // 2025-11-24

    static func parse(_ line: String) -> Result<NNTPCommand, NNTPCommandParser.Failure> {
        NNTPCommandParser.parse(line[...], now: now)
    }

    @Test(arguments: [
        ("CAPABILITIES", NNTPCommand.capabilities), ("capabilities", .capabilities), ("MODE READER", .modeReader),
        ("mode reader", .modeReader), ("GROUP starcon.general", .group("starcon.general")), ("NEXT", .next), ("LAST", .last),
        ("ARTICLE", .article(.current)), ("ARTICLE 42", .article(.number(42))), ("article <a@b>", .article(.messageID("<a@b>"))),
        ("HEAD 7", .head(.number(7))), ("BODY <x.y@z>", .body(.messageID("<x.y@z>"))), ("STAT", .stat(.current)),
        ("OVER 1-100", .over(.range(ArticleRange(low: 1, high: 100)))), ("XOVER 5-", .over(.range(ArticleRange(low: 5, high: nil)))),
        ("OVER", .over(nil)), ("OVER <m@id>", .over(.messageID("<m@id>"))),
        ("HDR Subject 1-3", .hdr(field: "Subject", .range(ArticleRange(low: 1, high: 3)))), ("XHDR from", .hdr(field: "from", nil, legacy: true)),
        ("LIST", .list(.active(nil))), ("LIST OVERVIEW.FMT", .list(.overviewFormat)), ("LIST HEADERS", .list(.headers)),
        ("LISTGROUP", .listGroup(group: nil, range: nil)), ("LISTGROUP a.b 3-9", .listGroup(group: "a.b", range: ArticleRange(low: 3, high: 9))),
        ("POST", .post), ("DATE", .date), ("HELP", .help), ("QUIT", .quit),
        ("AUTHINFO USER kim", .authinfoUser("kim")), ("AUTHINFO PASS correct horse  battery", .authinfoPass("correct horse  battery")),
        ("authinfo\tuser\tkim", .authinfoUser("kim")),
    ])
    func validCommands(line: String, expected: NNTPCommand) {
        #expect(Self.parse(line) == .success(expected))
    }

    @Test(arguments: ["FROBNICATE", "", "   ", "XYZZY 1 2", "\u{1}\u{2}"])
    func unknownCommandsAre500(line: String) {
        #expect(Self.parse(line) == .failure(.unknownCommand))
    }

    @Test(arguments: ["GROUP", "GROUP a b", "ARTICLE abc", "ARTICLE <noend", "ARTICLE 1 2", "OVER x-y", "OVER 1-2-3",
                      "MODE WRITER", "LIST FOO", "LIST ACTIVE a b", "NEWGROUPS 2025", "NEWGROUPS 251301 000000",
                      "NEWNEWS * 20250101", "AUTHINFO SASL PLAIN", "AUTHINFO USER", "QUIT now", "ARTICLE 12345678901234567",
                      "LISTGROUP g 5-x", "HDR", "STAT <a b>"])
    func badArgumentsAre501(line: String) {
        guard case .failure(.syntax) = Self.parse(line) else {
            Issue.record("\(line) was not a syntax error: \(Self.parse(line))")
            return
        }
    }

    @Test func datesFollowRFC3977() throws {
        guard case .success(.newGroups(let four)) = Self.parse("NEWGROUPS 20250102 030405 GMT"),
              case .success(.newGroups(let two)) = Self.parse("NEWGROUPS 250102 030405"),
              case .success(.newNews(let wildmat, let since)) = Self.parse("NEWNEWS starcon.*,!starcon.test 19991231 235959") else {
            Issue.record("did not parse")
            return
        }
        #expect(four.millisecondsSince1970 == 1_735_787_045_000)
        #expect(two == four)
        #expect(since.millisecondsSince1970 == 946_684_799_000)
        #expect(wildmat.matches("starcon.general") && !wildmat.matches("starcon.test") && !wildmat.matches("campus.sports"))
    }

    @Test(arguments: [
        ("*", "anything", true), ("starcon.*", "starcon.general", true), ("starcon.*", "campus.x", false),
        ("*,!*.test", "a.test", false), ("*,!*.test", "a.real", true), ("!a", "a", false), ("a?c", "abc", true),
        ("a?c", "ac", false), ("[ab]x", "bx", true), ("[^ab]x", "bx", false), ("[a-c]*", "cat", true), ("*.sp*ts", "campus.sports", true),
        ("a*b*c", "aXXbYYc", true), ("a*b*c", "aXXbYY", false),
    ])
    func wildmats(pattern: String, name: String, expected: Bool) {
        #expect(Wildmat(pattern)?.matches(name) == expected)
    }

    @Test func logNamesNeverCarryArguments() {
        #expect(NNTPCommand.authinfoPass("secret").name == "AUTHINFO PASS")
    }
}
