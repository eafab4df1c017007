import Foundation
import StarconCore
import StarconMIME

/// Parses an article a newsreader sent with POST (lines already un-dot-stuffed, without line endings) into a
/// draft for the core. The From header is not trusted: the core posts as the authenticated member.
///
///     article = 1*header CRLF body   (RFC 5536 §3, RFC 5322 §2.2.3 folding)
public enum PostedArticle {
    public struct Rejection: Error, Equatable, Sendable {
        public let reason: String
    }

    /// Headers kept from the poster and shown to readers; everything else is replaced or dropped.
    static let keptHeaders: Set<String> = ["user-agent", "x-newsreader", "organization", "followup-to", "x-no-archive"]

    /// `lines` are the article's octets line by line. Headers are UTF-8 when they are valid UTF-8, else
    /// Latin-1 (old readers send raw 8-bit); the body is decoded by its declared charset.
    public static func parse(_ lines: [[UInt8]]) -> Result<ArticleDraft, Rejection> {
        let headers: [(name: String, value: String)], index: Int
        switch parseHeaders(lines) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let parsed): (headers, index) = parsed
        }
        let body = Array(lines.dropFirst(index + 1))

        func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
        guard let newsgroups = header("Newsgroups"), !newsgroups.isEmpty else { return .failure(Rejection(reason: "Missing Newsgroups header")) }
        guard let rawSubject = header("Subject"), !rawSubject.isEmpty else { return .failure(Rejection(reason: "Missing Subject header")) }
        let messageID = header("Message-ID")
        if let messageID, !ArticleIDs.isValid(messageID) { return .failure(Rejection(reason: "Malformed Message-ID")) }

        let contentType = HeaderParameters.parse(header("Content-Type") ?? "text/plain")
        guard contentType.value == "text/plain" else { return .failure(Rejection(reason: "Only text/plain articles are accepted")) }
        let charset = contentType.parameters["charset"] ?? "utf-8"
        let transfer = (header("Content-Transfer-Encoding") ?? "8bit").lowercased()
        guard let text = decodeBody(body, transfer: transfer, charset: charset) else {
            return .failure(Rejection(reason: "Body is not valid \(charset) text"))
        }

        let references = (header("References") ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let extra = headers.filter { keptHeaders.contains($0.name.lowercased()) }.map { "\($0.name): \(String($0.value.prefix(300)))" }
        return .success(ArticleDraft(
            newsgroups: newsgroups.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
            subject: EncodedWords.decode(rawSubject),
            body: text,
            references: references,
            messageID: messageID,
            extraHeaders: extra))
    }

    /// The message-id a cancel control message names (`Control: cancel <id>`, RFC 5537 §5.3), or nil when the
    /// article is not one.
    public static func cancelTarget(_ lines: [[UInt8]]) -> String? {
        guard case .success(let (headers, _)) = parseHeaders(lines),
              let control = headers.first(where: { $0.name.caseInsensitiveCompare("Control") == .orderedSame })?.value else { return nil }
        let words = control.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard words.count == 2, words[0].lowercased() == "cancel" else { return nil }
        return String(words[1])
    }

    /// The header fields, unfolded, and the index of the empty line that ends them.
    static func parseHeaders(_ lines: [[UInt8]]) -> Result<(headers: [(name: String, value: String)], end: Int), Rejection> {
        var headers: [(name: String, value: String)] = []
        var index = 0
        while index < lines.count, !lines[index].isEmpty {
            // A NUL or a lone CR in a header would be copied into the stored article's header lines.
            guard !lines[index].contains(0x00), !lines[index].contains(0x0D) else {
                return .failure(Rejection(reason: "Malformed header line"))
            }
            let line = headerText(lines[index])
            if line.first == " " || line.first == "\t" {
                guard !headers.isEmpty else { return .failure(Rejection(reason: "Article has no headers")) }
                headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
            } else {
                guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                    return .failure(Rejection(reason: index == 0 ? "Article has no headers" : "Malformed header line"))
                }
                let name = line[..<colon]
                guard name.allSatisfy({ $0.isASCII && $0 != " " && $0 != "\t" }) else { return .failure(Rejection(reason: "Malformed header name")) }
                headers.append((String(name), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            index += 1
        }
        guard !headers.isEmpty else { return .failure(Rejection(reason: "Article has no headers")) }
        return .success((headers, index))
    }

    static func headerText(_ bytes: [UInt8]) -> String {
        String(validating: bytes, as: UTF8.self) ?? String(bytes.map { Character(Unicode.Scalar($0)) })
    }

    /// The body as text, or nil when its transfer encoding or charset cannot be read exactly (the poster is
    /// told, rather than the article stored with replacement characters).
    static func decodeBody(_ lines: [[UInt8]], transfer: String, charset: String) -> String? {
        var bytes = [UInt8]()
        for (offset, line) in lines.enumerated() {
            if offset > 0 { bytes.append(0x0A) }
            bytes += line
        }
        switch transfer {
        case "7bit", "8bit", "binary":
            return Charsets.decodeStrict(bytes, charset: charset)
        case "quoted-printable":
            return Charsets.decodeStrict(QuotedPrintable.decode(bytes).bytes, charset: charset)
        case "base64":
            let (decoded, clean) = Base64.decode(bytes)
            guard clean else { return nil }
            return Charsets.decodeStrict(decoded, charset: charset)?.replacingOccurrences(of: "\r\n", with: "\n")
        default:
            return nil
        }
    }
}
