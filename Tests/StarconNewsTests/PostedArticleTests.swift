@testable import StarconNews
import Testing

@Suite("Posted articles")
struct PostedArticleTests {
    static func parse(_ text: String) -> Result<ArticleDraftSummary, PostedArticle.Rejection> {
        PostedArticle.parse(text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.utf8) })
            .map { ArticleDraftSummary(groups: $0.newsgroups, subject: $0.subject, body: $0.body, references: $0.references, messageID: $0.messageID) }
    }

    struct ArticleDraftSummary: Equatable {
        let groups: [String], subject: String, body: String, references: [String], messageID: String?
    }

    static func lines(_ text: String) -> [[UInt8]] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.utf8) }
    }

    /// A cancel control message names the article to cancel; any other article (or control verb) names none.
    @Test func aCancelControlMessageNamesItsTarget() {
        #expect(PostedArticle.cancelTarget(Self.lines("""
            Newsgroups: starcon.general
            Subject: cmsg cancel <a@x>
            control:  cancel   <a@x>

            cancel
            """)) == "<a@x>")
        #expect(PostedArticle.cancelTarget(Self.lines("Newsgroups: g\nSubject: s\nControl: newgroup g\n\nbody")) == nil)
        #expect(PostedArticle.cancelTarget(Self.lines("Newsgroups: g\nSubject: s\n\nControl: cancel <a@x>")) == nil, "a body line is no header")
    }

    @Test func aNewsreadersArticle() {
        let result = Self.parse("""
            From: Kim <kim@example.org>
            Newsgroups: starcon.general, campus.sports
            Subject: =?UTF-8?B?7JWI64WV?= there
            References: <a@x> <b@y>
            Message-ID: <c@z>
            User-Agent: tin/2.6
            X-Tracking: dropped

            Body line
            Second
            """)
        #expect(result == .success(.init(groups: ["starcon.general", "campus.sports"], subject: "안녕 there", body: "Body line\nSecond",
                                         references: ["<a@x>", "<b@y>"], messageID: "<c@z>")))
    }

    @Test func foldedHeadersAndQuotedPrintableLatin1() {
        let result = Self.parse("""
            Newsgroups: a.b
            Subject: a long
             folded subject
            Content-Type: text/plain; charset="iso-8859-1"
            Content-Transfer-Encoding: quoted-printable

            caf=E9 soft=
            break
            """)
        #expect(result == .success(.init(groups: ["a.b"], subject: "a long folded subject", body: "café softbreak", references: [], messageID: nil)))
    }

    @Test func base64Body() {
        let result = Self.parse("Newsgroups: a.b\nSubject: s\nContent-Transfer-Encoding: base64\n\n7ZWc6rWt7Ja0\n")
        guard case .success(let draft) = result else { Issue.record("\(result)"); return }
        #expect(draft.body.hasPrefix("한국어"))
    }

    @Test(arguments: [
        ("just a body line\n", "Article has no headers"),
        ("\nbody after a blank line", "Article has no headers"),
        ("Subject: s\n\nbody", "Missing Newsgroups header"),
        ("Newsgroups: a.b\n\nbody", "Missing Subject header"),
        ("Newsgroups: a.b\nSubject: s\nMessage-ID: nope\n\nbody", "Malformed Message-ID"),
        ("Newsgroups: a.b\nSubject: s\nContent-Type: multipart/mixed; boundary=x\n\nbody", "Only text/plain articles are accepted"),
        ("Newsgroups: a.b\nSubject: s\nContent-Type: text/plain; charset=klingon\n\nbody", "Body is not valid klingon text"),
        ("Newsgroups: a.b\nBad Header Line\n\nbody", "Malformed header line"),
    ])
    func rejections(text: String, reason: String) {
        #expect(Self.parse(text) == .failure(.init(reason: reason)))
    }

    @Test func invalidUTF8BodiesAreRejected() {
        let bytes: [UInt8] = Array("Newsgroups: a.b\nSubject: s\n\n".utf8) + [0xFF, 0xFE, 0x41]
        let text = String(decoding: bytes, as: UTF8.self)  // U+FFFD replaces the bad bytes in the decoded line
        // The server decodes lines leniently; what must never happen is a crash or a body that is not UTF-8.
        if case .success(let draft) = Self.parse(text) { #expect(draft.body.utf8.count > 0) }
    }
}
