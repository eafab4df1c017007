import Foundation

/// RFC 2047 encoded-words in message headers: `=?utf-8?B?…?=` and `=?charset?Q?…?=`.
/// Used by newsgroup articles now and by mail later.
public enum EncodedWords {
    /// Decodes every encoded-word in a header value; whitespace between two adjacent encoded-words is dropped
    /// (RFC 2047 §6.2). Unknown charsets and malformed words are left as they are.
    public static func decode(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var output = ""
        var pendingSpace = ""
        var lastWasEncoded = false
        var rest = Substring(value)
        while !rest.isEmpty {
            if rest.hasPrefix("=?"), let (decoded, after) = decodeWord(rest) {
                if !lastWasEncoded { output += pendingSpace }
                pendingSpace = ""
                output += decoded
                lastWasEncoded = true
                rest = after
                continue
            }
            let character = rest.removeFirst()
            if character == " " || character == "\t" || character == "\r" || character == "\n" {
                pendingSpace.append(character == "\r" || character == "\n" ? " " : character)
            } else {
                output += pendingSpace
                pendingSpace = ""
                output.append(character)
                lastWasEncoded = false
            }
        }
        return output + pendingSpace
    }

    private static func decodeWord(_ text: Substring) -> (String, Substring)? {
        let parts = text.dropFirst(2)
        guard let q1 = parts.firstIndex(of: "?") else { return nil }
        let charset = parts[..<q1].split(separator: "*").first.map(String.init)?.lowercased() ?? ""
        let afterCharset = parts[parts.index(after: q1)...]
        guard let q2 = afterCharset.firstIndex(of: "?") else { return nil }
        let encoding = afterCharset[..<q2].uppercased()
        let payloadStart = afterCharset.index(after: q2)
        guard let end = afterCharset[payloadStart...].range(of: "?=") else { return nil }
        let payload = afterCharset[payloadStart..<end.lowerBound]
        guard payload.count <= 1000, !payload.contains(" ") else { return nil }
        let bytes: Data?
        switch encoding {
        case "B": bytes = Data(base64Encoded: padded(String(payload)))
        case "Q": bytes = quoted(payload)
        default: return nil
        }
        guard let bytes, let decoded = Charsets.decode(bytes, charset: charset) else { return nil }
        return (decoded, afterCharset[end.upperBound...])
    }

    private static func padded(_ base64: String) -> String {
        base64 + String(repeating: "=", count: (4 - base64.count % 4) % 4)
    }

    private static func quoted(_ payload: Substring) -> Data? {
        var bytes = [UInt8]()
        var iterator = Array(payload.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "_"): bytes.append(0x20)
            case UInt8(ascii: "="):
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
            default: bytes.append(byte)
            }
        }
        return Data(bytes)
    }

    /// Encodes a header value for the wire: unchanged when it is printable ASCII (unless `always`), else as
    /// UTF-8 B-encoded words of at most 75 characters each, split only between characters.
    public static func encode(_ value: String, always: Bool = false) -> String {
        if !always, value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return value }
        var words: [String] = []
        var chunk = [UInt8]()
        let maxBytes = 45  // 45 bytes → 60 base64 characters + 12 for =?utf-8?B??= ≤ 75
        for character in value {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > maxBytes {
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(word(chunk)) }
        return words.joined(separator: " ")
    }

    private static func word(_ bytes: [UInt8]) -> String { "=?utf-8?B?\(Data(bytes).base64EncodedString())?=" }
}

/// The character sets Starcon reads in headers and bodies sent by clients. Foundation on Linux converts
/// these; others (KOI8-R, EUC-KR, GB18030) are refused rather than guessed.
public enum Charsets {
    public static func decode(_ data: Data, charset: String) -> String? {
        switch charset.lowercased() {
        case "utf-8", "utf8", "us-ascii", "ascii", "": return String(data: data, encoding: .utf8)
        case "iso-8859-1", "latin1", "iso_8859-1": return String(data: data, encoding: .isoLatin1)
        case "windows-1252", "cp1252": return String(data: data, encoding: .windowsCP1252)
        case "windows-1251", "cp1251": return String(data: data, encoding: .windowsCP1251)
        case "shift_jis", "shift-jis", "sjis": return String(data: data, encoding: .shiftJIS)
        case "iso-2022-jp": return String(data: data, encoding: .iso2022JP)
        case "euc-jp": return String(data: data, encoding: .japaneseEUC)
        default: return nil
        }
    }
}
