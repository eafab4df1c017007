import Foundation
import StarconMIME

/// The canonical wire form of an article (RFC 5322 + RFC 5536 netnews headers), shared by NNTP and the web's
/// "view source": the same bytes everywhere, so OVER's :bytes and :lines match what ARTICLE sends.
public enum ArticleFormatter {
    /// Header lines, without line endings, in a stable order. A long Subject is folded over several lines
    /// (RFC 5322 §2.2.3), so that no line passes 998 octets (§2.1.1).
    public static func headers(_ article: Article, xref: [(group: String, number: Int64)], domain: String) -> [String] {
        var headers = [
            "Path: \(domain)!not-for-mail",
            "From: \(article.fromHeader)",
            "Newsgroups: \(article.newsgroups)",
        ] + MIMEHeaderWriter.foldedLines(name: "Subject", value: EncodedWords.encode(article.subject)) + [
            "Date: \(RFC5322Date.format(article.postedAt))",
            "Message-ID: \(article.messageID)",
        ]
        if !article.references.isEmpty { headers.append("References: \(article.references)") }
        if !xref.isEmpty { headers.append("Xref: \(domain) " + xref.map { "\($0.group):\($0.number)" }.joined(separator: " ")) }
        headers += [
            "Lines: \(article.lines)",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
        ]
        headers += article.extraHeaders
        return headers
    }

    /// Body lines, without line endings (not dot-stuffed; the NNTP encoder does that).
    public static func bodyLines(_ article: Article) -> [String] {
        // Split on the newline byte, not on Characters: ARTICLE and BODY do this for every line.
        article.body.isEmpty ? [] : article.body.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Octets of the article on the wire (CRLF line endings, headers, blank line, body), for :bytes.
    static func byteCount(_ article: Article, xref: [(group: String, number: Int64)], domain: String) -> Int {
        let lines = headers(article, xref: xref, domain: domain) + [""] + bodyLines(article)
        return lines.reduce(0) { $0 + $1.utf8.count + 2 }
    }

    /// An overview line after its article number (RFC 3977 §8.3.2, in LIST OVERVIEW.FMT's order: Subject, From,
    /// Date, Message-ID, References, :bytes, :lines, Xref:full). The same in every group the article is in,
    /// so it is formatted once, when the article is published.
    static func overviewFields(_ article: Article, bytes: Int, xref: [(group: String, number: Int64)], domain: String) -> String {
        [oneLine(EncodedWords.encode(article.subject)), oneLine(article.fromHeader), RFC5322Date.format(article.postedAt),
         article.messageID, article.references, String(bytes), String(article.lines),
         "Xref: \(domain) " + xref.map { "\($0.group):\($0.number)" }.joined(separator: " ")].joined(separator: "\t")
    }

    /// Tabs and line breaks would break an overview or HDR line.
    public static func oneLine(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }) else { return text }
        return String(text.map { $0 == "\t" || $0 == "\r" || $0 == "\n" ? " " : $0 })
    }

    /// The From header for a member: their display name as an RFC 5322 phrase, then their address.
    static func fromHeader(displayName: String, username: String, domain: String) -> String {
        "\(phrase(displayName)) <\(username.lowercased())@\(domain)>"
    }

    /// A display name as a quoted string (or encoded words when it is not printable ASCII).
    static func phrase(_ name: String) -> String { AddressList.phrase(name, alwaysQuote: true) }
}

/// RFC 5322 §3.3 dates in UTC (OVER formats one per article); StarconMIME's `MIMEDate` does the work.
public enum RFC5322Date {
    public static func format(_ milliseconds: Int64) -> String { MIMEDate.formatMilliseconds(milliseconds) }
}
