import StarconIMAP
import Testing

@Suite("IMAP command framer")
struct CommandFramerTests {
    static func feed(_ chunks: [String], maxLiteral: Int = 100, maxLine: Int = 64) -> [CommandFramer.Event] {
        var framer = CommandFramer(maxLineLength: maxLine, maxLiteralSize: maxLiteral)
        return chunks.flatMap { framer.feed(Array($0.utf8)) }
    }

    static func command(_ text: String) -> CommandFramer.Event { .command(Array(text.utf8)) }

    @Test func linesAndLiterals() {
        #expect(Self.feed(["a NOOP\r\nb NOOP\n"]) == [Self.command("a NOOP"), Self.command("b NOOP")])
        #expect(Self.feed(["a LOGIN {3}\r\n", "kim {2}\r\npw\r\n"]) ==
            [.continuation, .continuation, Self.command("a LOGIN {3}\r\nkim {2}\r\npw")])
        // A literal may hold CRLF and braces; byte at a time works the same.
        let text = "a APPEND x {9+}\r\nA\r\n{3}\r\nB\r\n"
        #expect(Self.feed(text.map { String($0) }) == [Self.command("a APPEND x {9+}\r\nA\r\n{3}\r\nB")])
        #expect(Self.feed(["a NOOP\r", "\n"]) == [Self.command("a NOOP")])
        // A literal ending in CR right before the command's LF keeps its CR.
        #expect(Self.feed(["a LOGIN x {1+}\r\n\r\n"]) == [Self.command("a LOGIN x {1+}\r\n\r")])
    }

    @Test func hugeLiteralRefusedBeforeItIsRead() {
        // The client waits for "+": the refusal comes instead and the next command is read as one.
        #expect(Self.feed(["a APPEND INBOX {101}\r\n", "b NOOP\r\n"]) ==
            [.refused(tag: "a", .literalTooLarge), Self.command("b NOOP")])
        #expect(Self.feed(["a APPEND INBOX {99999999999999999999999}\r\nb NOOP\r\n"]) ==
            [.refused(tag: "a", .literalTooLarge), Self.command("b NOOP")])
        // A LITERAL+ literal is on its way: its octets and the rest of its command are skipped.
        #expect(Self.feed(["a APPEND INBOX {101+}\r\n", String(repeating: "x", count: 101), " more\r\nb NOOP\r\n"]) ==
            [.refused(tag: "a", .literalTooLarge), Self.command("b NOOP")])
    }

    @Test func longLinesAreSkipped() {
        let long = "a NOOP " + String(repeating: "y", count: 100)
        #expect(Self.feed([long + "\r\nb NOOP\r\n"]) == [.refused(tag: "a", .lineTooLong), Self.command("b NOOP")])
        #expect(Self.feed([String(long.prefix(60)), String(long.dropFirst(60)), "zzz", "\r\nb NOOP\r\n"]) ==
            [.refused(tag: "a", .lineTooLong), Self.command("b NOOP")])
        #expect(Self.feed([String(repeating: "z", count: 80) + "\n"]) == [.refused(tag: nil, .lineTooLong)])
    }

    @Test func tooManyLiterals() {
        let line = "a LOGIN " + Array(repeating: "{1+}\r\nx ", count: 17).joined() + "\r\nb NOOP\r\n"
        let events = Self.feed([line], maxLine: 400)
        #expect(events == [.refused(tag: "a", .tooManyLiterals), Self.command("b NOOP")])
    }
}
