import StarconCore

/// A status's text as HTML: escaped, paragraphs and line breaks kept, and hashtags, mentions of members
/// it really mentions, and web links made into links. The web pages and the API's `content` share it.
enum StatusHTML {
    static func render(_ status: Status, baseURL: String = "") -> String {
        let mentioned = Set(status.mentions.map { $0.username.lowercased() })
        var html = "<p>"
        for piece in StatusText.pieces(status.text) {
            switch piece {
            case .text(let text):
                html += HTML.escape(text).replacingOccurrences(of: "\n\n", with: "</p><p>").replacingOccurrences(of: "\n", with: "<br>")
            case .hashtag(let tag):
                let key = StatusText.normalizedTag(tag)
                let path = "/tags/" + (key.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? key)
                html += "<a href=\"\(baseURL)\(path)\" class=\"mention hashtag\" rel=\"tag\">#<span>\(HTML.escape(tag))</span></a>"
            case .mention(let name) where mentioned.contains(name.lowercased()):
                html += "<span class=\"h-card\"><a href=\"\(baseURL)/@\(HTML.escape(name.lowercased()))\" class=\"u-url mention\">@<span>\(HTML.escape(name))</span></a></span>"
            case .mention(let name):
                html += "@" + HTML.escape(name)
            case .link(let url):
                html += "<a href=\"\(HTML.escape(url))\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">\(HTML.escape(url))</a>"
            }
        }
        return html + "</p>"
    }
}

import Foundation
