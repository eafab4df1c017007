import Foundation
import StarconNews
import Testing

/// NNTPCommandParser on mutated command lines: a command or a 500/501 failure, never a crash; never a
/// command from a line holding CR, LF or NUL (RFC 3977 §3.1); keywords case-insensitive; the same line,
/// the same answer.
@Suite("Fuzz: NNTP command lines")
struct NNTPCommandFuzzTests {
    static let tokens = [
        "ARTICLE", "HEAD", "BODY", "STAT", "GROUP", "LISTGROUP", "LIST", "ACTIVE", "NEWSGROUPS", "OVERVIEW.FMT", "ACTIVE.TIMES",
        "HEADERS", "OVER", "XOVER", "HDR", "XHDR", "NEWGROUPS", "NEWNEWS", "AUTHINFO", "USER", "PASS", "MODE", "READER", "POST",
        "CAPABILITIES", "DATE", "HELP", "QUIT", "NEXT", "LAST", " ", "\t", "<", ">", "@", "-", "*", "?", "!", "[", "]", ",", "GMT",
        "20261204", "261204", "000000", "235959", "9223372036854775807", "18446744073709551616", "-1", "0", "<a@b>", "<>",
        "comp.lang.swift", "é", "\u{301}", "ß", "\r\n",
    ]

    @Test func mutatedCommandLines() throws {
        let now: Int64 = 1_764_806_400_000
        try Fuzzer("nntp-command", tokens: Self.tokens, maxLength: 2_048).run { bytes in
            let line = Substring(String(decoding: bytes, as: UTF8.self))
            let result = NNTPCommandParser.parse(line, now: now)
            guard NNTPCommandParser.parse(line, now: now) == result else { throw Fuzzer.Violation("two answers to one line") }
            if line.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }), case .success(let command) = result {
                throw Fuzzer.Violation("accepted a line with CR, LF or NUL inside as \(command)")
            }
            // The keyword's case does not matter.
            let keyword = line.prefix(while: { $0 != " " && $0 != "\t" })
            if !keyword.isEmpty, keyword.allSatisfy({ $0.isASCII && $0.isLetter }) {
                let lowered = Substring(keyword.lowercased() + line[keyword.endIndex...])
                guard NNTPCommandParser.parse(lowered, now: now) == result else {
                    throw Fuzzer.Violation("\(keyword) and \(keyword.lowercased()) differ")
                }
            }
        }
    }
}
