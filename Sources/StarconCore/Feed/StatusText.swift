import Foundation

/// The parts of a status's text that become links: `#hashtags` (in any script), `@mentions`, and URLs.
/// Both the web and the API render from these pieces, so a link means the same everywhere.
public enum StatusText {
    public enum Piece: Sendable, Equatable {
        case text(String)
        case hashtag(String)
        case mention(String)
        case link(String)
    }

    /// Splits `text` into pieces. A hashtag or mention starts at the beginning or after a character that
    /// cannot be part of a word, so `e-mail@host` and `C#` stay plain text.
    public static func pieces(_ text: String) -> [Piece] {
        var pieces: [Piece] = []
        var plain = ""
        let scalars = Array(text.unicodeScalars)
        var index = 0
        func flush() {
            if !plain.isEmpty { pieces.append(.text(plain)); plain = "" }
        }
        while index < scalars.count {
            let scalar = scalars[index]
            let startsWord = index == 0 || !isWordScalar(scalars[index - 1]) && scalars[index - 1] != "/"
            if startsWord, scalar == "#" || scalar == "＃" {
                let end = wordEnd(scalars, from: index + 1, allowed: isTagScalar)
                let tag = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
                if !tag.isEmpty, !tag.unicodeScalars.allSatisfy({ CharacterSet.decimalDigits.contains($0) || $0 == "_" }) {
                    flush(); pieces.append(.hashtag(tag)); index = end; continue
                }
            } else if startsWord, scalar == "@" {
                let end = wordEnd(scalars, from: index + 1, allowed: { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") })
                if end > index + 1 {
                    flush(); pieces.append(.mention(String(String.UnicodeScalarView(scalars[(index + 1)..<end])))); index = end; continue
                }
            } else if startsWord, let end = linkEnd(scalars, from: index) {
                flush(); pieces.append(.link(String(String.UnicodeScalarView(scalars[index..<end])))); index = end; continue
            }
            plain.unicodeScalars.append(scalar)
            index += 1
        }
        flush()
        return pieces
    }

    /// Whether `text` has a `#` or its full-width form `＃` (U+FF03, EF BC 83 in UTF-8), so may have a hashtag.
    /// A byte scan: `String.contains(String)` goes through Foundation's locale-aware search, which cost a
    /// seventh of a timeline page's CPU when it was asked for every status on the page.
    public static func mayHaveHashtag(_ text: String) -> Bool {
        var bytes = text.utf8.makeIterator()
        var previous: (UInt8, UInt8) = (0, 0)
        while let byte = bytes.next() {
            if byte == UInt8(ascii: "#") || byte == 0x83 && previous == (0xEF, 0xBC) { return true }
            previous = (previous.1, byte)
        }
        return false
    }

    /// Distinct hashtags, normalised for lookup (case-folded, NFKC: full-width letters match half-width).
    public static func hashtags(_ text: String) -> [String] {
        var seen: [String] = []
        for case .hashtag(let tag) in pieces(text) {
            let key = normalizedTag(tag)
            if !seen.contains(key) { seen.append(key) }
        }
        return seen
    }

    public static func mentions(_ text: String) -> [String] {
        var seen: [String] = []
        for case .mention(let name) in pieces(text) where !seen.contains(name.lowercased()) { seen.append(name.lowercased()) }
        return seen
    }

    public static func normalizedTag(_ tag: String) -> String {
        tag.precomposedStringWithCompatibilityMapping.lowercased()
    }

    /// A usable tag name from a URL or API path segment, or nil.
    public static func validTag(_ raw: String) -> String? {
        let tag = raw.hasPrefix("#") ? String(raw.dropFirst()) : raw
        guard !tag.isEmpty, tag.count <= 100, tag.unicodeScalars.allSatisfy(isTagScalar) else { return nil }
        return normalizedTag(tag)
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        CharacterSet.alphanumerics.contains(scalar) || scalar == "_"
    }

    static func isTagScalar(_ scalar: Unicode.Scalar) -> Bool {
        CharacterSet.alphanumerics.contains(scalar) || scalar == "_" || CharacterSet.nonBaseCharacters.contains(scalar)
    }

    private static func wordEnd(_ scalars: [Unicode.Scalar], from start: Int, allowed: (Unicode.Scalar) -> Bool) -> Int {
        var end = start
        while end < scalars.count, end - start < 100, allowed(scalars[end]) { end += 1 }
        return end
    }

    /// `http://` or `https://` followed by non-space characters, without trailing punctuation.
    private static func linkEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        // Asked at every word start: rule out most words before building a string.
        guard scalars[start] == "h" || scalars[start] == "H" else { return nil }
        let rest = String(String.UnicodeScalarView(scalars[start..<min(scalars.count, start + 8)])).lowercased()
        guard rest.hasPrefix("http://") || rest.hasPrefix("https://") else { return nil }
        var end = start
        while end < scalars.count, !CharacterSet.whitespacesAndNewlines.contains(scalars[end]), scalars[end] != "<", scalars[end] != ">",
              scalars[end] != "\"" { end += 1 }
        while end > start, ".,;:!?)]'".unicodeScalars.contains(scalars[end - 1]) { end -= 1 }
        let prefix = rest.hasPrefix("https://") ? 8 : 7
        return end - start > prefix ? end : nil
    }
}
