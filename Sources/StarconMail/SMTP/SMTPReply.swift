/// One reply: a three-digit code, an enhanced status code (RFC 3463, advertised as ENHANCEDSTATUSCODES) and
/// one or more lines of text. Encoded as `code-text` for every line but the last, `code text` for the last.
public struct SMTPReply: Sendable, Equatable {
    public let code: Int
    public let enhanced: String?
    public let lines: [String]

    public init(_ code: Int, _ enhanced: String?, _ lines: String...) {
        self.init(code, enhanced, lines: lines)
    }

    public init(_ code: Int, _ enhanced: String?, lines: [String]) {
        self.code = code
        self.enhanced = enhanced
        self.lines = lines.isEmpty ? [""] : lines
    }

    public var isPositive: Bool { code < 400 }

    /// The wire form, CRLF after every line. The enhanced code goes on every line (RFC 2034 §3); CR and LF
    /// in a text are never sent as such.
    public var encoded: String {
        var out = ""
        for (index, line) in lines.enumerated() {
            let separator = index == lines.count - 1 ? " " : "-"
            let text = line.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
            out += "\(code)\(separator)" + (enhanced.map { "\($0) " } ?? "") + text + "\r\n"
        }
        return out
    }

    // The replies the session gives, in one place (RFC 5321 §4.2.2 and §4.3.2).
    static let ok = SMTPReply(250, "2.0.0", "OK")
    static let bye = SMTPReply(221, "2.0.0", "Bye")
    static let badSequence = SMTPReply(503, "5.5.1", "Bad sequence of commands")
    static let unknownCommand = SMTPReply(500, "5.5.1", "Command not recognized")
    static func syntax(_ detail: String) -> SMTPReply { SMTPReply(501, "5.5.4", "Syntax error: \(detail)") }
    static let tooManyBadCommands = SMTPReply(421, "4.7.0", "Too many errors, closing the connection")
}
