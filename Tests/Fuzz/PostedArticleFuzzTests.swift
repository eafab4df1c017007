import Foundation
import StarconCore
import StarconNews
import Testing

/// PostedArticle on mutated POSTed articles: a draft or a rejection, never a crash; what it copies from the
/// poster's headers into the stored article (groups, references, message-id, kept headers) never holds a
/// CR, LF or NUL that would split or end a header line when the article is served.
@Suite("Fuzz: posted articles")
struct PostedArticleFuzzTests {
    static let tokens = [
        "Newsgroups: ", "Subject: ", "From: ", "References: ", "Message-ID: ", "Content-Type: text/plain; charset=",
        "Content-Transfer-Encoding: ", "quoted-printable", "base64", "8bit", "7bit", "binary", "utf-8", "iso-8859-1", "koi8-r",
        "euc-kr", "shift_jis", "gb2312", "User-Agent: ", "X-Newsreader: ", "Organization: ", "Followup-To: ", "=?UTF-8?B?",
        "=?utf-8?q?", "?=", "=0D=0A", "=00", "=\n", "=", "\n\n", "\n ", "\n\t", ":", ",", "<a@b>", "<x@y.z> <p@q.r>", "\r",
    ]

    @Test func mutatedArticles() throws {
        try Fuzzer("posted-article", tokens: Self.tokens, maxLength: 8_192).run { bytes in
            // As ArticleCollector hands them over: split at LF, a CR before it dropped.
            let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
                Array(line.last == 0x0D ? line.dropLast() : line)
            }
            guard case .success(let draft) = PostedArticle.parse(lines) else { return }
            guard !draft.newsgroups.isEmpty else { throw Fuzzer.Violation("a draft with no newsgroups") }
            let copied = draft.newsgroups + draft.references + draft.extraHeaders + (draft.messageID.map { [$0] } ?? [])
            for value in copied where value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) {
                throw Fuzzer.Violation("a header value with CR, LF or NUL: \(value.debugDescription)")
            }
        }
    }
}
