import Foundation

/// RFC 2047 encoded words in header values: `=?charset?B?…?=` and `=?charset?Q?…?=` (an RFC 2231
/// `charset*language` accepted), in any charset `Charsets` reads.
public enum EncodedWords {
    /// Decodes every encoded word in a value. Whitespace between two adjacent encoded words is dropped
    /// (RFC 2047 §6.2), and adjacent words in one charset are joined before decoding, so a character split
    /// across two words (as some clients do) still reads. Malformed words are left as they are.
    public static func decode(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        let bytes = Array(value.utf8)
        var output = ""
        var literal: [UInt8] = []
        var pendingSpace: [UInt8] = []
        var pending: (charset: String, bytes: [UInt8])?
        func flushPending() {
            if let word = pending { output += Charsets.decode(word.bytes, charset: word.charset) }
            pending = nil
        }
        func flushLiteral() {
            if !literal.isEmpty { output += String(decoding: literal, as: UTF8.self) }
            literal.removeAll()
        }
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x3D, index + 1 < bytes.count, bytes[index + 1] == 0x3F, let word = Self.word(bytes, at: index) {
                if let current = pending, current.charset == word.charset {
                    pending!.bytes += word.bytes
                } else if pending != nil {
                    flushPending()
                    pending = (word.charset, word.bytes)
                } else {
                    // Space before a word is kept unless the word before it was encoded too.
                    literal += pendingSpace
                    flushLiteral()
                    pending = (word.charset, word.bytes)
                }
                pendingSpace.removeAll()
                index = word.end
                continue
            }
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A {
                pendingSpace.append(byte == 0x09 ? 0x09 : 0x20)
            } else {
                flushPending()
                literal += pendingSpace
                pendingSpace.removeAll()
                literal.append(byte)
            }
            index += 1
        }
        flushPending()
        literal += pendingSpace
        flushLiteral()
        return output
    }

    private struct Word {
        var charset: String
        var bytes: [UInt8]
        var end: Int
    }

    /// The encoded word starting at `start` (`=?`), its decoded octets and where it ends; nil when malformed.
    /// An encoded word holds no space and is at most 75 octets (§2); up to 1,000 are accepted, so that the
    /// search for its end stays bounded whatever the value holds.
    private static func word(_ bytes: [UInt8], at start: Int) -> Word? {
        var index = start + 2
        let limit = min(bytes.count, start + 1000)
        func next(_ byte: UInt8) -> Int? {
            while index < limit {
                let current = bytes[index]
                if current == byte { return index }
                if current == 0x20 || current == 0x09 || current == 0x0D || current == 0x0A { return nil }
                index += 1
            }
            return nil
        }
        guard let q1 = next(0x3F), q1 > start + 2 else { return nil }
        var charset = String(decoding: bytes[(start + 2)..<q1], as: UTF8.self).lowercased()
        if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) }
        index = q1 + 1
        guard let q2 = next(0x3F), q2 == q1 + 2 else { return nil }
        let encoding = MIMEText.lower(bytes[q1 + 1])
        index = q2 + 1
        // The payload ends at the first "?=".
        var end: Int?
        while let question = next(0x3F) {
            if question + 1 < bytes.count, bytes[question + 1] == 0x3D { end = question; break }
            index = question + 1
        }
        guard let end else { return nil }
        let payload = bytes[(q2 + 1)..<end]
        let decoded: [UInt8]?
        switch encoding {
        case 0x62: decoded = Base64.decodeStrictish(payload)
        case 0x71: decoded = qDecode(payload)
        default: decoded = nil
        }
        guard let decoded else { return nil }
        return Word(charset: charset, bytes: decoded, end: end + 2)
    }

    private static func qDecode(_ payload: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var index = payload.startIndex
        while index < payload.endIndex {
            let byte = payload[index]
            switch byte {
            case 0x5F: out.append(0x20)
            case 0x3D:
                guard index + 2 < payload.endIndex, let high = HeaderParameters.hex(payload[index + 1]),
                      let low = HeaderParameters.hex(payload[index + 2]) else { return nil }
                out.append(high << 4 | low)
                index += 2
            default: out.append(byte)
            }
            index += 1
        }
        return out
    }

    /// A header value for the wire: unchanged when it is printable ASCII (unless `always`), else as UTF-8
    /// B-encoded words of at most 75 characters each, split only between characters, separated by spaces (where a
    /// writer may fold). NNTP's stored articles depend on this exact output; `MIMEHeaderWriter.unstructured` is
    /// the finer choice for new mail.
    public static func encode(_ value: String, always: Bool = false) -> String {
        if !always, value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return value }
        return words(value).joined(separator: " ")
    }

    /// The encoded words for a value, each at most 75 characters.
    public static func words(_ value: String) -> [String] {
        var words: [String] = []
        var chunk = [UInt8]()
        let maxBytes = 45  // 45 bytes → 60 base64 characters + 12 for =?utf-8?B??= ≤ 75
        for character in value {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > maxBytes, !chunk.isEmpty {
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(word(chunk)) }
        return words
    }

    private static func word(_ bytes: [UInt8]) -> String { "=?utf-8?B?\(Data(bytes).base64EncodedString())?=" }
}
