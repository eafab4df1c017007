import Foundation
import Ink

/// A page's Markdown as HTML that is safe inside our pages. Ink does the Markdown; everything it would pass
/// through raw is taken back here: HTML in the text is shown as text, links keep only http, https, mailto and
/// same-site paths, pictures load only from our media pipeline (`/media/…`), a code block's language is
/// dropped, and a stray `&` is escaped. A last check reads the result's tags against an allowlist and falls
/// back to the whole text escaped if anything else got through.
public enum SiteMarkdown {
    public static func html(_ markdown: String) -> String {
        // Ink copies `&…;` through as it finds it, so only well-formed character references keep their `&`.
        let placeholder: Character = "\u{E000}"
        let source = escapingStrayAmpersands(markdown.replacingOccurrences(of: String(placeholder), with: ""), as: placeholder)
        var parser = MarkdownParser()
        parser.addModifier(Modifier(target: .html) { input in escape(String(input.markdown)) })
        parser.addModifier(Modifier(target: .links) { input in link(input) })
        parser.addModifier(Modifier(target: .images) { input in image(String(input.markdown)) })
        parser.addModifier(Modifier(target: .codeBlocks) { input in codeBlock(input.html) })
        let html = parser.html(from: source).replacingOccurrences(of: String(placeholder), with: "&amp;")
        return isAllowed(html) ? html : "<pre>\(escape(markdown))</pre>"
    }

    /// Text for an element's content or a quoted attribute.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A URL a link may point at, or nil.
    static func linkTarget(_ url: String) -> String? {
        guard !url.isEmpty, url.utf8.count <= 2000,
              !url.contains(where: { $0 == "\"" || $0 == "<" || $0 == ">" || $0 == "\\" || $0 == "'" || $0.isWhitespace || $0 == "`" }),
              !url.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        let lower = url.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("mailto:") { return url }
        if url.hasPrefix("/") && !url.hasPrefix("//") { return url }
        if url.hasPrefix("#") || url.hasPrefix("?") { return url }
        // A relative path: no scheme before the first "/", "?" or "#".
        let head = url.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return head.contains(":") ? nil : url
    }

    /// A picture from our pipeline: `/media/` and a file name of letters, digits, `-`, `_` and `.`.
    static func mediaSource(_ url: String) -> String? {
        guard url.hasPrefix("/media/") else { return nil }
        let file = url.dropFirst(7)
        guard !file.isEmpty, file.count <= 200, !file.hasPrefix("."), !file.contains(".."),
              file.unicodeScalars.allSatisfy({ ($0.properties.isASCIIHexDigit || ("a"..."z").contains($0) || ("A"..."Z").contains($0)
                  || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == ".") }) else { return nil }
        return url
    }

    private static func link(_ input: Modifier.Input) -> String {
        // Ink wrote `<a href="URL">TEXT</a>` with URL copied raw from the Markdown `[TEXT](URL)`.
        let html = input.html, markdown = String(input.markdown)
        let prefix = "<a href=\""
        guard html.hasPrefix(prefix), html.hasSuffix("</a>"), let quote = html.dropFirst(prefix.count).firstIndex(of: "\"") else { return escape(markdown) }
        let url = String(html[html.index(html.startIndex, offsetBy: prefix.count)..<quote])
        let afterQuote = html.index(after: quote)
        guard afterQuote < html.endIndex, html[afterQuote] == ">", markdown.hasSuffix("(\(url))"), let target = linkTarget(url) else {
            return escape(markdown)
        }
        let text = html[html.index(after: afterQuote)..<html.index(html.endIndex, offsetBy: -4)]
        let external = target.lowercased().hasPrefix("http")
        return "<a href=\"\(escape(target))\"\(external ? " rel=\"nofollow noopener\"" : "")>\(text)</a>"
    }

    private static func image(_ markdown: String) -> String {
        // `![ALT](URL)`: the URL after the last "](", the alt text between "![" and it.
        guard markdown.hasPrefix("!["), markdown.hasSuffix(")"), let split = markdown.range(of: "](", options: .backwards) else { return escape(markdown) }
        let alt = String(markdown[markdown.index(markdown.startIndex, offsetBy: 2)..<split.lowerBound])
        let url = String(markdown[split.upperBound..<markdown.index(before: markdown.endIndex)])
        guard let source = mediaSource(url) else { return "<span class=\"site-blocked-image\">[\(escape(alt))]</span>" }
        return "<img src=\"\(escape(source))\" alt=\"\(escape(alt))\" loading=\"lazy\">"
    }

    private static func codeBlock(_ html: String) -> String {
        // `<pre><code class="language-LANG">CODE</code></pre>`: CODE is escaped by Ink, so it holds no ">"; LANG is raw.
        let suffix = "</code></pre>"
        guard html.hasSuffix(suffix) else { return "" }
        let head = html.dropLast(suffix.count)
        guard let open = head.lastIndex(of: ">") else { return "" }
        return "<pre><code>\(head[head.index(after: open)...])</code></pre>"
    }

    static func escapingStrayAmpersands(_ text: String, as placeholder: Character) -> String {
        var out = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "&" {
                let rest = text[text.index(after: index)...].prefix(34)
                if let semicolon = rest.firstIndex(of: ";"), isReference(rest[rest.startIndex..<semicolon]) {
                    out.append("&")
                } else {
                    out.append(placeholder)
                }
            } else {
                out.append(character)
            }
            index = text.index(after: index)
        }
        return out
    }

    private static func isReference(_ body: Substring) -> Bool {
        let scalars = Array(body.unicodeScalars)
        guard !scalars.isEmpty else { return false }
        if scalars[0] == "#" {
            let digits = scalars.dropFirst()
            if let first = digits.first, first == "x" || first == "X" {
                let hex = digits.dropFirst()
                return (1...6).contains(hex.count) && hex.allSatisfy { $0.properties.isASCIIHexDigit }
            }
            return (1...7).contains(digits.count) && digits.allSatisfy { ("0"..."9").contains($0) }
        }
        return scalars.count <= 32 && scalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    static let allowedTags: Set<String> = [
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "em", "strong", "code", "pre", "blockquote", "hr", "br",
        "table", "thead", "tbody", "tr", "th", "td", "a", "img", "span", "s", "del",
    ]

    /// Every tag in `html` is one we write, with only the attributes we write.
    static func isAllowed(_ html: String) -> Bool {
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { return false }
            var tag = rest[rest.index(after: open)..<close]
            if tag.hasPrefix("/") { tag = tag.dropFirst() }
            let name = tag.prefix { $0.isLetter || $0.isNumber }
            guard allowedTags.contains(name.lowercased()) else { return false }
            let attributes = tag.dropFirst(name.count).trimmingCharacters(in: CharacterSet(charactersIn: " /"))
            if !attributes.isEmpty {
                // Only `name="value"` pairs of ours, values free of quotes and angle brackets.
                let pattern = #"^(\s*(href|src|alt|loading|rel|class|start)="[^"<>]*")+$"#
                guard attributes.range(of: pattern, options: .regularExpression) != nil,
                      !attributes.lowercased().contains("javascript:") else { return false }
            }
            rest = rest[rest.index(after: close)...]
        }
        return true
    }
}
