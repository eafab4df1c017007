/// Header fields for the wire (RFC 5322 §2.2.3, RFC 2047, RFC 2231): folded at spaces to lines of at most 78
/// octets where the value allows it, CRLF-terminated, never holding a CR or LF of the caller's.
public enum MIMEHeaderWriter {
    /// An unstructured field (Subject, Comments, X-…): words that are not printable ASCII become UTF-8
    /// encoded words; the rest stays readable.
    public static func unstructured(_ name: String, _ value: String) -> String {
        fold(name: name, value: encodeUnstructured(oneLine(value)))
    }

    /// A structured field whose value the caller formatted (addresses, Message-ID, Content-Type): only folded.
    public static func structured(_ name: String, _ value: String) -> String {
        fold(name: name, value: oneLine(value))
    }

    /// CR and LF from a caller's text become spaces, so no value can start a field of its own.
    static func oneLine(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) else { return value }
        return String(String.UnicodeScalarView(value.unicodeScalars.map { $0 == "\r" || $0 == "\n" ? " " : $0 }))
    }

    static func needsEncoding(_ word: Substring) -> Bool {
        word.contains("=?") || word.utf8.contains { $0 < 0x20 || $0 >= 0x7F }
    }

    /// Runs of words that need encoding become encoded words together (the spaces inside them encoded too);
    /// other words stay as they are.
    static func encodeUnstructured(_ value: String) -> String {
        let words = value.split(separator: " ", omittingEmptySubsequences: false)
        guard words.contains(where: needsEncoding) else { return value }
        var out: [String] = []
        var run: [Substring] = []
        func flush() {
            if !run.isEmpty { out += EncodedWords.words(run.joined(separator: " ")) }
            run = []
        }
        for word in words {
            if needsEncoding(word) || (word.isEmpty && !run.isEmpty) {
                run.append(word)
            } else {
                flush()
                out.append(String(word))
            }
        }
        flush()
        return out.joined(separator: " ")
    }

    /// `Name: value` CRLF, a space turned into CRLF + space wherever a line would pass 78 octets.
    public static func fold(name: String, value: String) -> String {
        foldedLines(name: name, value: value).joined(separator: "\r\n") + "\r\n"
    }

    /// The lines of `Name: value` folded greedily at spaces (even right after the colon) so that each is at most 78
    /// octets where the words allow; continuation lines start with their space; no line ends included.
    public static func foldedLines(name: String, value: String) -> [String] {
        var lines: [String] = []
        var current = name + ":"
        for token in value.split(separator: " ", omittingEmptySubsequences: false) {
            if !token.isEmpty, current.utf8.count + 1 + token.utf8.count > 78 {
                lines.append(current)
                current = ""
            }
            current += " " + token
        }
        lines.append(current)
        return lines
    }

    /// `; name=value` pieces for Content-Type and Content-Disposition: a token as it is, other ASCII quoted, long
    /// values in RFC 2231 sections, non-ASCII as RFC 2231 `name*=utf-8''%XX`.
    public static func parameters(_ parameters: MIMEParameters) -> String {
        parameters.items.map { "; " + parameter($0.name, $0.value) }.joined()
    }

    static let tokenBytes = Set(Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`{|}~".utf8))
    static let attributeBytes = Set(Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&+-.^_`|~".utf8))

    static func parameter(_ name: String, _ value: String) -> String {
        let value = oneLine(value)
        let bytes = Array(value.utf8)
        let ascii = bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        if ascii {
            if !bytes.isEmpty, bytes.count <= 60, bytes.allSatisfy(tokenBytes.contains) { return "\(name)=\(value)" }
            if bytes.count <= 60 { return "\(name)=\(quote(value))" }
            // Sections of 60 characters, each quoted.
            var sections: [String] = []
            var chunk = ""
            for character in value {
                if chunk.utf8.count >= 60 { sections.append(chunk); chunk = "" }
                chunk.append(character)
            }
            sections.append(chunk)
            return sections.enumerated().map { "\(name)*\($0.offset)=\(quote($0.element))" }.joined(separator: "; ")
        }
        // RFC 2231 §4: percent-encoded UTF-8, split between characters into sections when long.
        var sections: [String] = []
        var chunk = ""
        for character in value {
            var encoded = ""
            for byte in String(character).utf8 {
                if attributeBytes.contains(byte) {
                    encoded.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    encoded += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 15, radix: 16, uppercase: true)
                }
            }
            if !chunk.isEmpty, chunk.utf8.count + encoded.utf8.count > 60 { sections.append(chunk); chunk = "" }
            chunk += encoded
        }
        sections.append(chunk)
        if sections.count == 1 { return "\(name)*=utf-8''\(sections[0])" }
        return sections.enumerated().map { index, section in
            index == 0 ? "\(name)*0*=utf-8''\(section)" : "\(name)*\(index)*=\(section)"
        }.joined(separator: "; ")
    }

    static func quote(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            if scalar == "\"" || scalar == "\\" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(scalar)
        }
        return out + "\""
    }
}
