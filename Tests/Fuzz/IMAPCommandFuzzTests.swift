import StarconIMAP
import Testing

/// The IMAP framer and parser on mutated client streams: never a crash; the same bytes fed whole or one
/// octet at a time give the same events; a literal over the limit is refused, never answered with "+"; every
/// command the framer delivers parses to a command or a BAD with the line's first word as tag; the same command, the same answer.
@Suite("Fuzz: IMAP commands")
struct IMAPCommandFuzzTests {
    static let tokens = [
        "LOGIN", "AUTHENTICATE", "SELECT", "EXAMINE", "LIST", "LSUB", "STATUS", "APPEND", "FETCH", "STORE", "COPY", "MOVE",
        "UID", "SEARCH", "EXPUNGE", "IDLE", "ENABLE", "ID", "NIL", "BODY[", "BODY.PEEK[", "]", "<0.10>", "HEADER.FIELDS",
        "(", ")", "{", "}", "{5}\r\n", "{3+}\r\n", "{99999999}\r\n", "\"", "\\", "*", ":", ",", "%", "&", "&-", "-", "\r\n", " ",
        "NOT ", "OR ", "FLAGS.SILENT", "+FLAGS", "\\Seen", "1-Feb-2026", "4294967296", "0", "보관",
    ]

    @Test func mutatedCommandStreams() throws {
        try Fuzzer("imap-command", tokens: Self.tokens, maxLength: 4_096).run { bytes in
            var whole = CommandFramer(maxLineLength: 512, maxLiteralSize: 64)
            let events = whole.feed(bytes)
            var stepwise = CommandFramer(maxLineLength: 512, maxLiteralSize: 64)
            let stepped = bytes.flatMap { stepwise.feed([$0]) }
            guard events == stepped else { throw Fuzzer.Violation("fed whole and octet by octet differ") }
            for event in events {
                guard case .command(let command) = event else { continue }
                let result = CommandParser.parse(command)
                guard CommandParser.parse(command) == result else { throw Fuzzer.Violation("two answers to one command") }
                if case .failure(let error) = result, let tag = error.tag, !command.starts(with: Array(tag.utf8)) {
                    throw Fuzzer.Violation("refused with a tag that is not the line's")
                }
                if case .success(let tagged) = result, CommandParser.tag(of: command) != tagged.tag {
                    throw Fuzzer.Violation("a command whose tag is not the line's")
                }
            }
        }
    }
}
