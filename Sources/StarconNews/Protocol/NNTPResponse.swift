import NIOCore

/// One reply: a status line, optionally followed by a multi-line block ended by ".".
public struct NNTPResponse: Sendable, Equatable {
    public let code: Int
    public let text: String
    /// The lines of a multi-line block, unstuffed and without line endings; nil for a single-line reply.
    public let lines: [String]?
    /// More of the block after `lines`: text whose lines are separated by "\n" (an article body as stored),
    /// sent line by line like `lines` without being split into strings first.
    public let trailingText: String?

    public init(_ code: Int, _ text: String, lines: [String]? = nil, trailingText: String? = nil) {
        self.code = code
        self.text = text
        self.lines = lines ?? trailingText.map { _ in [] }
        self.trailingText = trailingText
    }

    /// Encodes for the wire: CRLF line endings, a leading "." doubled (RFC 3977 §3.1.1), the block ended by ".".
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeString("\(code) \(text)\r\n")
        guard let lines else { return }
        for line in lines {
            if line.hasPrefix(".") { buffer.writeString(".") }
            buffer.writeString(line)
            buffer.writeString("\r\n")
        }
        if var trailingText, !trailingText.isEmpty {
            trailingText.withUTF8 { Self.writeLines(of: $0, into: &buffer) }
        }
        buffer.writeString(".\r\n")
    }

    /// Each "\n"-separated line of `text` with CRLF, dot-stuffed; a final "\n" leaves an empty last line,
    /// as splitting would.
    private static func writeLines(of text: UnsafeBufferPointer<UInt8>, into buffer: inout ByteBuffer) {
        var start = 0
        while start <= text.count {
            let end = text[start...].firstIndex(of: 0x0A) ?? text.count
            if end > start, text[start] == UInt8(ascii: ".") { buffer.writeInteger(UInt8(ascii: ".")) }
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: text[start..<end])))
            buffer.writeStaticString("\r\n")
            start = end + 1
        }
    }

    /// For logs: the status line only, never article text or credentials.
    public var logDescription: String { lines.map { "\(code) [\($0.count)\(trailingText == nil ? "" : "+") lines]" } ?? "\(code)" }
}

extension NNTPResponse {
    static func syntaxError(_ detail: String) -> NNTPResponse { NNTPResponse(501, "Syntax error: \(detail)") }
    static let unknownCommand = NNTPResponse(500, "Unknown command")
    static let authenticationRequired = NNTPResponse(480, "Authentication required")
    static let noGroupSelected = NNTPResponse(412, "No newsgroup selected")
    static let noCurrentArticle = NNTPResponse(420, "Current article number is invalid")
    static let noSuchNumber = NNTPResponse(423, "No article with that number")
    static let emptyRange = NNTPResponse(423, "No articles in that range")
    static let noSuchMessageID = NNTPResponse(430, "No article with that message-id")
    static let noSuchGroup = NNTPResponse(411, "No such newsgroup")
    static let internalFault = NNTPResponse(403, "Internal fault, try again later")
}

/// A reply that ends a handler early (`Result<_, NNTPResponse>`).
extension NNTPResponse: Error {}
