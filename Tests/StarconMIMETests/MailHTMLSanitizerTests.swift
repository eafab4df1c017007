@testable import StarconMIME
import Testing

/// Checks what the sanitizer wrote: only allowlisted elements and attributes, links only to http(s)/mailto,
/// pictures only from the caller's URLs. Shared with the fuzz target's idea of "safe".
enum SanitizedHTMLCheck {
    static let attributeNames: Set<String> = Set(MailHTMLSanitizer.attributes.keys).union(["href", "rel", "target", "src", "class"])

    static func problems(_ html: String, imagePrefix: String = "/mail/part/") -> [String] {
        var found: [String] = []
        var tokenizer = HTMLTokenizer(Array(html.utf8))
        while let token = tokenizer.next() {
            guard case .start(let name, let attributes, _) = token else { continue }
            if !MailHTMLSanitizer.allowed.contains(name) { found.append("element \(name)") }
            for attribute in attributes {
                let value = HTMLEntities.decode(String(decoding: attribute.value, as: UTF8.self))
                if !attributeNames.contains(attribute.name) { found.append("attribute \(attribute.name)") }
                if attribute.name == "href", !(value.hasPrefix("http:") || value.hasPrefix("https:") || value.hasPrefix("mailto:")) {
                    found.append("href \(value)")
                }
                if attribute.name == "src", !value.hasPrefix(imagePrefix) { found.append("src \(value)") }
                if attribute.name == "class", !["mail-link-url", "mail-blocked-image"].contains(value) { found.append("class \(value)") }
            }
        }
        let lower = html.lowercased()
        for marker in ["<script", "<style", "<iframe", "<object", "<embed", "<form", "<input", "<svg", "<math", "<meta", "<link", "<base"] where lower.contains(marker) {
            found.append("marker \(marker)")
        }
        return found
    }
}

@Suite("Mail HTML sanitizer")
struct MailHTMLSanitizerTests {
    static func clean(_ html: String) -> String {
        MailHTMLSanitizer.sanitize(html) { id in id == "logo@x" || id == "part1" ? "/mail/part/\(id)" : nil }
    }

    static let hostile: [String] = [
        "<script>alert(1)</script>",
        "<IMG SRC=\"javascript:alert('XSS');\">",
        "<IMG SRC=javascript:alert('XSS')>",
        "<IMG SRC=JaVaScRiPt:alert('XSS')>",
        "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
        "<a onmouseover=\"alert(document.cookie)\">xxs link</a>",
        "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
        "<IMG SRC=# onmouseover=\"alert('xxs')\">",
        "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
        "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058\">",
        "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;\">x</a>",
        "<a href=\"&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29\">x</a>",
        "<a href=\"jav\tascript:alert('XSS');\">x</a>",
        "<a href=\"jav&#x09;ascript:alert('XSS');\">x</a>",
        "<a href=\" &#14;  javascript:alert('XSS');\">x</a>",
        "<a href=\"javascript&colon;alert(1)\">x</a>",
        "<a href=\"vbscript:msgbox(1)\">x</a>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
        "<SCRIPT/XSS SRC=\"http://xss.rocks/xss.js\"></SCRIPT>",
        "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
        "<<SCRIPT>alert(\"XSS\");//<</SCRIPT>",
        "<SCRIPT SRC=http://xss.rocks/xss.js?< B >",
        "<IMG SRC=\"`<javascript:alert>`('XSS')\"",
        "<iframe src=http://xss.rocks/scriptlet.html <",
        "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>",
        "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
        "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
        "<IMG DYNSRC=\"javascript:alert('XSS')\">",
        "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
        "<svg/onload=alert('XSS')>",
        "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
        "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
        "<TABLE BACKGROUND=\"javascript:alert('XSS')\"><TD BACKGROUND=\"javascript:alert('XSS')\">",
        "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
        "<DIV STYLE=\"width: expression(alert('XSS'));\">",
        "<BASE HREF=\"javascript:alert('XSS');//\">",
        "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"http://xss.rocks/scriptlet.html\"></OBJECT>",
        "<EMBED SRC=\"data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+\">",
        "<form action=\"javascript:alert(1)\"><input type=submit><button formaction=javascript:alert(1)>go</button></form>",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        "<x onclick=alert(1)>click",
        "<div style=\"position:fixed;top:0;left:0;width:100%;height:100%\">overlay</div>",
        "</div></div></body><script>alert(1)</script>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
        "<a href=\"http://x\" title=\"&quot;><script>alert(1)</script>\">y</a>",
        "<scr\u{0}ipt>alert(1)</scr\u{0}ipt>",
        "<img src=\"cid:logo@x\" onerror=alert(1) srcset=\"http://evil/x.png 2x\">",
        "<a href=https://ok.example/ onclick=alert(1) class=button id=login>ok</a>",
        "<video><source onerror=\"alert(1)\"></video>",
        "<details open ontoggle=alert(1)>",
        "<p id=\"x\" class=\"y\" name=\"z\" data-x=\"1\">p</p>",
        "<table><tr><td background=http://evil/bg.png>cell</td></tr></table>",
        "<img src=\"//evil.example/pixel.gif\" width=1 height=1>",
        "<a href=\"  https://x.example\">leading space</a>",
        "<textarea><script>alert(1)</script></textarea>",
        "<title><script>alert(1)</script></title>",
        "<template><script>alert(1)</script></template>",
        "<<<<<<>>>>>>><<a<a<a",
        "<a href=\"http://a.example\"><a href=\"http://b.example\">nested</a></a>",
        "<p><b><i>unclosed",
    ]

    @Test(arguments: hostile)
    func hostileInputComesOutSafe(html: String) {
        let output = Self.clean(html)
        #expect(SanitizedHTMLCheck.problems(output) == [], "\(html) → \(output)")
    }

    @Test(arguments: [
        ("<p>Hello <b>world</b></p>", "<p>Hello <b>world</b></p>"),
        ("<script>alert(1)</script>after", "after"),
        ("<div style=\"color:red\" onclick=\"x()\" align=center>a</div>", "<div align=\"center\">a</div>"),
        ("<img src=\"http://tracker.example/p.gif\" alt=\"Logo\">", "<span class=\"mail-blocked-image\">[Logo]</span>"),
        ("<img src=\"http://tracker.example/p.gif\">", "<span class=\"mail-blocked-image\">[image]</span>"),
        ("<img src=\"cid:logo@x\" alt=\"L\" width=\"20\">", "<img src=\"/mail/part/logo@x\" alt=\"L\" width=\"20\">"),
        ("<img src=\"CID:part1\">", "<img src=\"/mail/part/part1\">"),
        ("<img src=\"cid:unknown\">", "<span class=\"mail-blocked-image\">[image]</span>"),
        ("<a href=\"https://bank.example/\">https://bank.example/</a>",
         "<a href=\"https://bank.example/\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">https://bank.example/</a>"),
        ("<a href=\"https://evil.example/\">https://bank.example/</a>",
         "<a href=\"https://evil.example/\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">https://bank.example/</a><span class=\"mail-link-url\"> (https://evil.example/)</span>"),
        ("<a href=\"mailto:kim@x.y\">kim@x.y</a>", "<a href=\"mailto:kim@x.y\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">kim@x.y</a>"),
        ("<a href=\"javascript:alert(1)\">click</a>", "click"),
        ("<a href=\"http://x/?a=1&amp;b=2\">x</a>",
         "<a href=\"http://x/?a=1&amp;b=2\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">x</a><span class=\"mail-link-url\"> (http://x/?a=1&amp;b=2)</span>"),
        ("a < b && c > d &amp; &eacute; &#233; &#xE9;", "a &lt; b &amp;&amp; c &gt; d &amp; &eacute; &#233; &#xE9;"),
        ("</div></div>text", "text"),
        ("<p><b>unclosed", "<p><b>unclosed</b></p>"),
        ("<b><i>x</b>y</i>", "<b><i>x</i></b>y"),
        ("<ul><li>one<li>two</ul>", "<ul><li>one<li>two</li></li></ul>"),
        ("<!-- comment --><!DOCTYPE html><?xml x?>ok", "ok"),
        ("<html><head><title>T</title><style>p{}</style></head><body><p>B</p></body></html>", "<p>B</p>"),
        ("<br/><hr><wbr>", "<br><hr><wbr>"),
        ("<font color=\"#ff0000\" face=\"x\">red</font>", "<font color=\"#ff0000\">red</font>"),
        ("<td width=\"100%\" height=\"expression(1)\">", "<td width=\"100%\"></td>"),
        ("<p title='a \"quoted\" <title>'>t</p>", "<p title=\"a &quot;quoted&quot; &lt;title&gt;\">t</p>"),
    ])
    func fixtures(html: String, expected: String) {
        #expect(Self.clean(html) == expected)
    }

    @Test func deepNestingIsBounded() {
        let deep = String(repeating: "<div>", count: 10_000) + "x"
        let output = Self.clean(deep)
        #expect(output.components(separatedBy: "<div>").count - 1 == MailHTMLSanitizer.maxDepth)
        #expect(output.hasSuffix("</div>"))
    }

    @Test func blockedImageTextIsTheCallers() {
        #expect(MailHTMLSanitizer.sanitize("<img src=http://x/y>", blockedImageText: "그림") == "<span class=\"mail-blocked-image\">[그림]</span>")
    }
}
