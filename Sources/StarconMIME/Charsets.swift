import CoreFoundation
import Foundation

/// Text in a named character set to a Swift String. Foundation on Linux converts most of what mail carries
/// (through CoreFoundation's IANA names); EUC-JP, which it does not, is read through ISO-2022-JP. A charset it
/// cannot convert, or bytes invalid in it, never fail: ASCII stays, every other byte becomes U+FFFD.
public enum Charsets {
    /// The text, exact when possible, else with U+FFFD in place of what could not be read.
    public static func decode<C: Collection>(_ bytes: C, charset: String) -> String where C.Element == UInt8 {
        decodeReporting(bytes, charset: charset).text
    }

    /// The text and whether it was read exactly (false: an unknown charset or invalid bytes, replaced).
    public static func decodeReporting<C: Collection>(_ bytes: C, charset: String) -> (text: String, exact: Bool)
    where C.Element == UInt8 {
        let bytes = Array(bytes)
        if let text = decodeStrict(bytes, charset: charset) { return (text, true) }
        // Invalid somewhere: keep each line that reads, replace only the lines that do not.
        guard let encoding = Encoding(charset) else { return (lossy(bytes[...]), false) }
        var out = ""
        var start = 0
        while start < bytes.count {
            let end = (bytes[start...].firstIndex(of: 0x0A).map { $0 + 1 }) ?? bytes.count
            let line = bytes[start..<end]
            out += encoding.decode(Array(line)) ?? lossy(line)
            start = end
        }
        return (out, false)
    }

    /// The text, or nil when the charset is unknown here or the bytes are not valid in it.
    public static func decodeStrict(_ bytes: [UInt8], charset: String) -> String? {
        Encoding(charset)?.decode(bytes)
    }

    /// Whether text in this charset can be read here.
    public static func isSupported(_ charset: String) -> Bool { Encoding(charset) != nil }

    /// ASCII as itself, anything else as U+FFFD: what is shown for text that could not be converted.
    static func lossy(_ bytes: ArraySlice<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(byte < 0x80 ? Unicode.Scalar(byte) : "\u{FFFD}") }
        return String(scalars)
    }

    enum Encoding {
        case utf8
        case foundation(String.Encoding, asciiCompatible: Bool)
        case eucJP

        init?(_ charset: String) {
            let name = charset.trimmingCharacters(in: .whitespaces).lowercased()
            switch name {
            // 8-bit text labelled ASCII is common; UTF-8 reads ASCII unchanged and the rest when it can.
            case "utf-8", "utf8", "us-ascii", "ascii", "", "unicode-1-1-utf-8", "x-unknown", "unknown-8bit": self = .utf8
            // ISO-8859-1 as Windows-1252 (its superset in the C1 range), as browsers do.
            case "iso-8859-1", "iso8859-1", "latin1", "iso_8859-1", "l1", "windows-1252", "cp1252", "x-cp1252": self = .foundation(.windowsCP1252, asciiCompatible: true)
            case "windows-1251", "cp1251", "x-cp1251": self = .foundation(.windowsCP1251, asciiCompatible: true)
            // GB18030 contains GBK, which contains GB2312; CP949 (UHC) contains EUC-KR.
            case "gb2312", "gbk", "x-gbk", "cp936", "euc-cn", "x-euc-cn", "gb18030", "chinese", "csgb2312":
                guard let encoding = Self.coreFoundation(0x0632) else { return nil }
                self = .foundation(encoding, asciiCompatible: true)
            case "euc-kr", "ks_c_5601-1987", "ks_c_5601", "cp949", "uhc", "x-windows-949", "korean", "ksc5601":
                guard let encoding = Self.coreFoundation(0x0422) else { return nil }
                self = .foundation(encoding, asciiCompatible: true)
            case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "cp932", "windows-31j": self = .foundation(.shiftJIS, asciiCompatible: true)
            case "iso-2022-jp", "csiso2022jp": self = .foundation(.iso2022JP, asciiCompatible: false)
            case "euc-jp", "x-euc-jp", "eucjp": self = .eucJP
            default:
                guard let encoding = Self.iana(name) else { return nil }
                self = .foundation(encoding, asciiCompatible: false)
            }
        }

        func decode(_ bytes: [UInt8]) -> String? {
            switch self {
            case .utf8: return String(validating: bytes, as: UTF8.self)
            case .foundation(let encoding, let asciiCompatible):
                if asciiCompatible, bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
                return String(data: Data(bytes), encoding: encoding)
            case .eucJP: return EUCJP.decode(bytes)
            }
        }

        private static func coreFoundation(_ value: UInt32) -> String.Encoding? {
            let encoding = CFStringConvertEncodingToNSStringEncoding(value)
            return encoding == UInt(kCFStringEncodingInvalidId) ? nil : String.Encoding(rawValue: encoding)
        }

        private static func iana(_ name: String) -> String.Encoding? {
            guard name.utf8.count < 64, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
                  let cfName = CFStringCreateWithCString(nil, name, CFStringBuiltInEncodings.UTF8.rawValue) else { return nil }
            let value = CFStringConvertIANACharSetNameToEncoding(cfName)
            guard value != kCFStringEncodingInvalidId else { return nil }
            return coreFoundation(value)
        }
    }
}

/// EUC-JP, which Foundation on Linux does not convert: JIS X 0208 pairs are the same code points as in
/// ISO-2022-JP (minus the high bit), which it does; SS2 half-width katakana map directly; JIS X 0212 (SS3) is
/// replaced.
enum EUCJP {
    static func decode(_ bytes: [UInt8]) -> String? {
        var out = ""
        var index = 0
        var ascii: [UInt8] = []
        func flushASCII() {
            if !ascii.isEmpty { out += String(decoding: ascii, as: UTF8.self); ascii.removeAll(keepingCapacity: true) }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                ascii.append(byte)
                index += 1
            } else if byte == 0x8E {
                guard index + 1 < bytes.count, (0xA1...0xDF).contains(bytes[index + 1]) else { return nil }
                flushASCII()
                out.unicodeScalars.append(Unicode.Scalar(0xFF61 + UInt32(bytes[index + 1] - 0xA1))!)
                index += 2
            } else if byte == 0x8F {
                guard index + 2 < bytes.count else { return nil }
                flushASCII()
                out.unicodeScalars.append("\u{FFFD}")
                index += 3
            } else if (0xA1...0xFE).contains(byte) {
                flushASCII()
                var jis: [UInt8] = [0x1B, 0x24, 0x42]
                while index + 1 < bytes.count, (0xA1...0xFE).contains(bytes[index]) {
                    guard (0xA1...0xFE).contains(bytes[index + 1]) else { return nil }
                    jis += [bytes[index] & 0x7F, bytes[index + 1] & 0x7F]
                    index += 2
                }
                guard index >= bytes.count || !(0xA1...0xFE).contains(bytes[index]) else { return nil }
                jis += [0x1B, 0x28, 0x42]
                guard let text = String(data: Data(jis), encoding: .iso2022JP) else { return nil }
                out += text
            } else {
                return nil
            }
        }
        flushASCII()
        return out
    }
}
