/// Turns the HTML body of a mail into HTML that is safe to put inside a page of ours. The input is tokenised
/// and written again from an allowlist, so nothing the sender wrote reaches the page unexamined:
/// - elements outside the allowlist are unwrapped (their text kept); script, style, iframe, object, embed,
///   forms' controls, svg, math, title, noscript and the like are dropped with their content;
/// - attributes outside the allowlist go (event handlers, `style`, `class`, `id`, `srcset`, …);
/// - links keep an `href` only for http, https and mailto (checked after entities and control characters are
///   resolved, as a browser would), get `rel="noopener noreferrer nofollow"`, and show their URL after the
///   text when the text says something else;
/// - pictures load only from `cid:` parts, through the caller's `contentIDURL`; any other picture becomes a
///   placeholder with its alt text (no remote content, no tracking pixels);
/// - end tags never close what they did not open, and everything opened is closed, so nothing escapes the box.
public enum MailHTMLSanitizer {
    public static func sanitize(
        _ html: String, blockedImageText: String = "image", contentIDURL: (String) -> String? = { _ in nil }
    ) -> String {
        withoutActuallyEscaping(contentIDURL) { contentIDURL in
            sanitize(html, writer: Writer(blockedImageText: blockedImageText, contentIDURL: contentIDURL))
        }
    }

    private static func sanitize(_ html: String, writer: Writer) -> String {
        var writer = writer
        var tokenizer = HTMLTokenizer(Array(html.utf8))
        while let token = tokenizer.next() {
            switch token {
            case .text(let bytes): writer.text(bytes)
            case .start(let name, let attributes, _):
                if droppedWithContent.contains(name) {
                    tokenizer.skipRawText(until: name)
                } else {
                    writer.open(name, attributes)
                }
            case .end(let name): writer.close(name)
            }
        }
        return writer.finish()
    }

    static let droppedWithContent: Set<String> = [
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript", "noembed",
        "noframes", "template", "svg", "math", "title", "textarea", "select", "option", "xmp", "canvas", "audio",
        "video", "head",
    ]
    static let voidElements: Set<String> = ["br", "hr", "img", "wbr", "col"]
    static let allowed: Set<String> = [
        "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup",
        "dd", "del", "dfn", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
        "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike", "strong", "sub",
        "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul", "var", "wbr",
    ]
    /// Attributes kept, and what their values may hold.
    enum ValueKind { case text, number, color, keyword }
    static let attributes: [String: ValueKind] = [
        "title": .text, "alt": .text, "lang": .keyword, "dir": .keyword, "align": .keyword, "valign": .keyword,
        "width": .number, "height": .number, "colspan": .number, "rowspan": .number, "border": .number,
        "cellpadding": .number, "cellspacing": .number, "start": .number, "size": .number, "span": .number,
        "color": .color, "bgcolor": .color, "type": .keyword, "scope": .keyword, "abbr": .text,
    ]
    static let maxDepth = 100

    struct Writer {
        let blockedImageText: String
        let contentIDURL: (String) -> String?
        var out = ""
        var stack: [String] = []
        /// For an open link: its URL and where its text began in `out`.
        var link: (url: String, textStart: String.Index)?

        init(blockedImageText: String, contentIDURL: @escaping (String) -> String?) {
            self.blockedImageText = blockedImageText
            self.contentIDURL = contentIDURL
        }

        mutating func text(_ bytes: [UInt8]) { out += HTMLEscape.text(bytes) }

        mutating func open(_ name: String, _ attributes: [(name: String, value: [UInt8])]) {
            guard MailHTMLSanitizer.allowed.contains(name) else { return }
            if name == "img" { return image(attributes) }
            if name == "a" {
                if stack.contains("a") { close("a") }
                guard let href = value("href", in: attributes).flatMap(URLCheck.link) else { return }
                guard stack.count < MailHTMLSanitizer.maxDepth else { return }
                out += "<a href=\"\(HTMLEscape.attribute(href))\" rel=\"noopener noreferrer nofollow\" target=\"_blank\"\(kept(attributes))>"
                stack.append("a")
                link = (href, out.endIndex)
                return
            }
            let isVoid = MailHTMLSanitizer.voidElements.contains(name)
            guard isVoid || stack.count < MailHTMLSanitizer.maxDepth else { return }
            out += "<\(name)\(kept(attributes))>"
            if !isVoid { stack.append(name) }
        }

        mutating func close(_ name: String) {
            guard let index = stack.lastIndex(of: name) else { return }
            while stack.count > index { closeTop() }
        }

        mutating func closeTop() {
            let name = stack.removeLast()
            out += "</\(name)>"
            if name == "a", let open = link {
                link = nil
                let shown = out[open.textStart...].replacingOccurrences(of: "</a>", with: "")
                let url = open.url
                let plain = url.hasPrefix("mailto:") ? String(url.dropFirst(7)) : url
                let text = HTMLEscape.attribute(plain)
                if !shown.contains(text), !shown.contains(HTMLEscape.attribute(url)) {
                    out += "<span class=\"mail-link-url\"> (\(HTMLEscape.attribute(url)))</span>"
                }
            }
        }

        mutating func image(_ attributes: [(name: String, value: [UInt8])]) {
            let alt = value("alt", in: attributes).map(HTMLEntities.decode) ?? ""
            if let source = value("src", in: attributes).map(HTMLEntities.decode).map(URLCheck.clean), source.lowercased().hasPrefix("cid:"),
               let url = contentIDURL(String(source.dropFirst(4)).removingPercentEncodingSafely) {
                out += "<img src=\"\(HTMLEscape.attribute(url))\"\(kept(attributes))>"
            } else {
                let label = alt.trimmingSpace().isEmpty ? blockedImageText : alt
                out += "<span class=\"mail-blocked-image\">[\(HTMLEscape.attribute(label))]</span>"
            }
        }

        func value(_ name: String, in attributes: [(name: String, value: [UInt8])]) -> String? {
            attributes.first { $0.name == name }.map { String(decoding: $0.value, as: UTF8.self) }
        }

        /// The allowlisted attributes, values checked and escaped, each once.
        func kept(_ attributes: [(name: String, value: [UInt8])]) -> String {
            var seen: Set<String> = []
            var out = ""
            for attribute in attributes {
                guard let kind = MailHTMLSanitizer.attributes[attribute.name], seen.insert(attribute.name).inserted else { continue }
                let value = HTMLEntities.decode(String(decoding: attribute.value, as: UTF8.self))
                let ok: Bool
                switch kind {
                case .text: ok = value.utf8.count <= 1000
                case .number: ok = value.utf8.count <= 8 && value.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x25 }
                case .color: ok = value.utf8.count <= 20 && value.utf8.allSatisfy { $0 == 0x23 || ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) }
                case .keyword: ok = value.utf8.count <= 20 && value.utf8.allSatisfy { $0 == 0x2D || ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) }
                }
                if ok, !value.isEmpty { out += " \(attribute.name)=\"\(HTMLEscape.attribute(value))\"" }
            }
            return out
        }

        mutating func finish() -> String {
            while !stack.isEmpty { closeTop() }
            return out
        }
    }
}

/// What a browser would make of a URL attribute, and whether we allow it.
enum URLCheck {
    /// ASCII whitespace and control characters removed (browsers ignore tab and newline in URLs, and trim the rest).
    static func clean(_ url: String) -> String {
        String(String.UnicodeScalarView(url.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7F }))
    }

    /// The URL when its scheme is http, https or mailto.
    static func link(_ raw: String) -> String? {
        let url = clean(HTMLEntities.decode(raw))
        let lower = url.lowercased()
        guard let scheme = ["http:", "https:", "mailto:"].first(where: lower.hasPrefix), url.utf8.count <= 4000 else { return nil }
        return scheme + url.dropFirst(scheme.count)
    }
}

enum HTMLEscape {
    /// Text for the page: `<` and `>` escaped, `&` escaped unless it starts a well-formed character reference.
    static func text(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x3C: out += Array("&lt;".utf8)
            case 0x3E: out += Array("&gt;".utf8)
            case 0x22: out += Array("&quot;".utf8)
            case 0x26:
                if let length = HTMLEntities.referenceLength(bytes, at: index) {
                    out += bytes[index..<(index + length)]
                    index += length
                    continue
                }
                out += Array("&amp;".utf8)
            case 0x00: out += Array("\u{FFFD}".utf8)
            default: out.append(byte)
            }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A decoded value for a double-quoted attribute.
    static func attribute(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\u{0}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

enum HTMLEntities {
    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "colon": ":", "tab": "\t",
        "newline": "\n", "sol": "/", "lpar": "(", "rpar": ")", "period": ".", "comma": ",", "semi": ";",
        "equals": "=", "num": "#", "percnt": "%", "quest": "?", "excl": "!", "commat": "@", "copy": "©",
        "reg": "®", "hellip": "…", "mdash": "—", "ndash": "–", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”",
    ]

    /// The length of a character reference at `index` (`&name;`, `&#123;`, `&#x1F;`), or nil.
    static func referenceLength(_ bytes: [UInt8], at index: Int) -> Int? {
        var cursor = index + 1
        guard cursor < bytes.count else { return nil }
        func isAlnum(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) }
        func isHex(_ b: UInt8) -> Bool { HeaderParameters.hex(b) != nil }
        if bytes[cursor] == 0x23 {
            cursor += 1
            var hex = false
            if cursor < bytes.count, bytes[cursor] | 0x20 == 0x78 { hex = true; cursor += 1 }
            let start = cursor
            while cursor < bytes.count, cursor - start < 7, hex ? isHex(bytes[cursor]) : (bytes[cursor] >= 0x30 && bytes[cursor] <= 0x39) { cursor += 1 }
            guard cursor > start, cursor < bytes.count, bytes[cursor] == 0x3B else { return nil }
            return cursor + 1 - index
        }
        let start = cursor
        guard bytes[cursor] | 0x20 >= 0x61 && bytes[cursor] | 0x20 <= 0x7A else { return nil }
        while cursor < bytes.count, cursor - start < 32, isAlnum(bytes[cursor]) { cursor += 1 }
        guard cursor < bytes.count, bytes[cursor] == 0x3B else { return nil }
        return cursor + 1 - index
    }

    /// Numeric references and the common named ones resolved (others left as written).
    static func decode(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let bytes = Array(text.utf8)
        var out = ""
        var plain: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x26 {
                // A reference with or without its semicolon (browsers accept both in attribute values for numbers).
                var end = index + 1
                while end < bytes.count, end - index < 40, bytes[end] != 0x3B, bytes[end] != 0x26, bytes[end] > 0x20 { end += 1 }
                let body = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
                let hasSemicolon = end < bytes.count && bytes[end] == 0x3B
                if let replacement = resolve(body, semicolon: hasSemicolon) {
                    out += String(decoding: plain, as: UTF8.self)
                    plain = []
                    out += replacement.text
                    index = index + 1 + replacement.consumed + (hasSemicolon && replacement.consumed == body.utf8.count ? 1 : 0)
                    continue
                }
            }
            plain.append(bytes[index])
            index += 1
        }
        return out + String(decoding: plain, as: UTF8.self)
    }

    /// The text of a reference body (`#x3a`, `colon`) and how many of its octets it used.
    static func resolve(_ body: String, semicolon: Bool) -> (text: String, consumed: Int)? {
        if body.hasPrefix("#") {
            var digits = body.dropFirst()
            let hex = digits.first == "x" || digits.first == "X"
            if hex { digits = digits.dropFirst() }
            let valid = digits.prefix { hex ? $0.isHexDigit : $0.isASCIIDigit }
            guard !valid.isEmpty else { return nil }
            let value = valid.count > 7 ? 0x110000 : (UInt32(valid, radix: hex ? 16 : 10) ?? 0x110000)
            let scalar = value == 0 ? "\u{FFFD}" : (Unicode.Scalar(value).map(String.init) ?? "\u{FFFD}")
            return (scalar, 1 + (hex ? 1 : 0) + valid.count)
        }
        if semicolon, let text = named[body] { return (text, body.utf8.count) }
        return nil
    }
}

extension String {
    /// `%XX` resolved when the result is UTF-8; the text unchanged otherwise.
    var removingPercentEncodingSafely: String {
        guard contains("%") else { return self }
        let bytes = Array(utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x25, index + 2 < bytes.count, let high = HeaderParameters.hex(bytes[index + 1]), let low = HeaderParameters.hex(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(validating: out, as: UTF8.self) ?? self
    }
}
