import Foundation
@testable import StarconWeb
import Testing

@Suite("Web mail: reading and writing")
struct MailDisplayTests {
    static let hostile = Array("""
        From: Mallory <m@evil.example>\r
        Subject: Hi\r
        MIME-Version: 1.0\r
        Content-Type: multipart/related; boundary="b"\r
        \r
        --b\r
        Content-Type: text/html; charset=utf-8\r
        \r
        <p onclick="alert(1)">Hello<script>alert(2)</script></p><img src="https://evil.example/pixel.gif">\
        <img src="cid:logo@x"><a href="javascript:alert(3)">click</a><a href="https://ok.example/">site</a>\
        <style>body{display:none}</style><iframe src="https://evil.example/"></iframe>\r
        --b\r
        Content-Type: image/png\r
        Content-ID: <logo@x>\r
        Content-Transfer-Encoding: base64\r
        \r
        iVBORw0KGgo=\r
        --b--\r

        """.utf8)

    @Test func hostileHTMLLosesScriptAndRemotePictures() throws {
        let display = MailDisplay(raw: Self.hostile)
        #expect(display.text == nil)
        let html = try #require(display.sanitizedHTML(path: "/mail/f/1/m/2", blockedImageText: "blocked"))
        for bad in ["<script", "onclick", "javascript:", "evil.example/pixel", "<style", "<iframe", "alert("] {
            #expect(!html.contains(bad), "\(bad) in \(html)")
        }
        #expect(html.contains("/mail/f/1/m/2/cid/logo@x"))
        #expect(html.contains("https://ok.example/"))
        #expect(display.attachments.isEmpty, "the inline picture is shown, not listed")
        #expect(display.inlinePart(contentID: "logo@x")?.data == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    @Test func attachmentsRoundTripThroughTheWriter() throws {
        let payload = (0..<3000).map { UInt8($0 % 256) }
        let letter = MailComposer.Letter(from: "김미나", fromAddress: "mina@starcon.local", to: "jun@starcon.local, Ольга <olga@starcon.local>",
                                         cc: "", bcc: "boss@starcon.local", subject: "보고서", body: "본문\n-- \n미나", inReplyTo: "",
                                         references: "", attachments: [.init(filename: "보고서.pdf", contentType: "application/pdf", data: payload)])
        #expect(letter.recipients == ["jun@starcon.local", "olga@starcon.local", "boss@starcon.local"])
        #expect(letter.badAddress == nil)
        let display = MailDisplay(raw: MailComposer.build(letter, keepBcc: false, domain: "starcon.local"))
        #expect(display.text?.hasPrefix("본문") == true)
        let attachment = try #require(display.attachments.first)
        #expect(attachment.filename == "보고서.pdf" && attachment.contentType == "application/pdf" && attachment.size == 3000)
        #expect(display.part(attachment.number)?.data == payload)
        var bad = letter
        bad.to = "jun"
        #expect(bad.badAddress != nil)
    }

    @Test func textBecomesEscapedHTMLWithLinks() {
        let html = MailFormat.textHTML("<b>hi</b> see https://a.example/x?a=1&b=2.\n> quoted")
        #expect(html.contains("&lt;b&gt;hi&lt;/b&gt;"))
        #expect(html.contains("<a href=\"https://a.example/x?a=1&amp;b=2\" rel=\"noopener noreferrer nofollow\">"))
        #expect(html.contains("</a>."), "the full stop is not part of the link")
        #expect(html.contains("<span class=\"quote\">&gt; quoted</span>"))
        #expect(MailFormat.displayName("\"Park, J\" <j@x>, k@y") == "Park, J")
        #expect(MailComposer.withoutSignature("a\nb\n-- \nsig") == "a\nb")
    }
}
