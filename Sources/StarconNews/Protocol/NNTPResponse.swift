import NIOCore

/// One reply: a status line, optionally followed by a multi-line block ended by ".".
public struct NNTPResponse: Sendable, Equatable {
    public let code: Int
    public let text: String
    /// The lines of a multi-line block, unstuffed and without line endings; nil for a single-line reply.
    public let lines: [String]?

    public init(_ code: Int, _ text: String, lines: [String]? = nil) {
        self.code = code
        self.text = text
        self.lines = lines
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
        buffer.writeString(".\r\n")
    }

    /// For logs: the status line only, never article text or credentials.
    public var logDescription: String { lines.map { "\(code) [\($0.count) lines]" } ?? "\(code)" }
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
