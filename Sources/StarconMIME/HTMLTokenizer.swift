/// A forgiving HTML tokenizer for the sanitizer: text, start tags with attributes, end tags. Comments, doctypes
/// and processing instructions are dropped; a `<` that starts no tag is text; an unterminated tag at the end is
/// dropped. Linear in the input.
struct HTMLTokenizer {
    enum Token {
        case text([UInt8])
        /// Name lowercased; attribute names lowercased, values raw (entities unresolved).
        case start(String, [(name: String, value: [UInt8])], selfClosing: Bool)
        case end(String)
    }

    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    static func isLetter(_ byte: UInt8) -> Bool { byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A }
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D }

    mutating func next() -> Token? {
        while index < bytes.count {
            if bytes[index] != 0x3C {
                let start = index
                index = bytes[index...].firstIndex(of: 0x3C) ?? bytes.count
                return .text(Array(bytes[start..<index]))
            }
            // "<"
            let next = index + 1 < bytes.count ? bytes[index + 1] : 0
            if next == 0x21 {
                // Comment, doctype, CDATA: dropped.
                if bytes[index...].starts(with: [0x3C, 0x21, 0x2D, 0x2D]) {
                    index = find([0x2D, 0x2D, 0x3E], from: index + 4).map { $0 + 3 } ?? bytes.count
                } else {
                    index = bytes[index...].firstIndex(of: 0x3E).map { $0 + 1 } ?? bytes.count
                }
                continue
            }
            if next == 0x3F {
                index = bytes[index...].firstIndex(of: 0x3E).map { $0 + 1 } ?? bytes.count
                continue
            }
            if next == 0x2F {
                guard index + 2 < bytes.count, Self.isLetter(bytes[index + 2]) else {
                    // "</>" is nothing; "</ x>" a bogus comment.
                    index = bytes[index...].firstIndex(of: 0x3E).map { $0 + 1 } ?? bytes.count
                    continue
                }
                index += 2
                let name = tagName()
                guard let close = bytes[index...].firstIndex(of: 0x3E) else {
                    index = bytes.count
                    return nil
                }
                index = close + 1
                return .end(name)
            }
            if Self.isLetter(next) {
                index += 1
                let name = tagName()
                guard let (attributes, selfClosing) = attributesUntilTagEnd() else { return nil }
                return .start(name, attributes, selfClosing: selfClosing)
            }
            // A lone "<" is text.
            index += 1
            return .text([0x3C])
        }
        return nil
    }

    mutating func tagName() -> String {
        var name: [UInt8] = []
        while index < bytes.count, !Self.isSpace(bytes[index]), bytes[index] != 0x2F, bytes[index] != 0x3E {
            if name.count < 32 { name.append(MIMEText.lower(bytes[index])) }
            index += 1
        }
        return String(decoding: name, as: UTF8.self)
    }

    /// Attributes up to and past the `>`; nil when the input ends first.
    mutating func attributesUntilTagEnd() -> ([(name: String, value: [UInt8])], Bool)? {
        var attributes: [(name: String, value: [UInt8])] = []
        var selfClosing = false
        while true {
            while index < bytes.count, Self.isSpace(bytes[index]) || bytes[index] == 0x2F {
                selfClosing = bytes[index] == 0x2F
                index += 1
            }
            guard index < bytes.count else { return nil }
            if bytes[index] == 0x3E {
                index += 1
                return (attributes, selfClosing)
            }
            selfClosing = false
            var name: [UInt8] = []
            // The first character may be anything but space, "/" or ">" (even "=").
            repeat {
                if name.count < 64 { name.append(MIMEText.lower(bytes[index])) }
                index += 1
            } while index < bytes.count && !Self.isSpace(bytes[index]) && bytes[index] != 0x2F && bytes[index] != 0x3E && bytes[index] != 0x3D
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
            var value: [UInt8] = []
            if index < bytes.count, bytes[index] == 0x3D {
                index += 1
                while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
                guard index < bytes.count else { return nil }
                let quote = bytes[index]
                if quote == 0x22 || quote == 0x27 {
                    guard let end = bytes[(index + 1)...].firstIndex(of: quote) else { return nil }
                    value = Array(bytes[(index + 1)..<end])
                    index = end + 1
                } else {
                    let start = index
                    while index < bytes.count, !Self.isSpace(bytes[index]), bytes[index] != 0x3E { index += 1 }
                    value = Array(bytes[start..<index])
                }
            }
            if attributes.count < 64 { attributes.append((String(decoding: name, as: UTF8.self), value)) }
        }
    }

    /// Skips a raw-text element's content up to and past its end tag (`</name` then space, `/` or `>`).
    mutating func skipRawText(until name: String) {
        let needle = Array("</\(name)".utf8)
        var from = index
        while let found = findCaseInsensitive(needle, from: from) {
            let after = found + needle.count
            if after >= bytes.count || Self.isSpace(bytes[after]) || bytes[after] == 0x2F || bytes[after] == 0x3E {
                index = bytes[after...].firstIndex(of: 0x3E).map { $0 + 1 } ?? bytes.count
                return
            }
            from = found + 1
        }
        index = bytes.count
    }

    func find(_ needle: [UInt8], from start: Int) -> Int? {
        var cursor = start
        while cursor + needle.count <= bytes.count {
            guard let found = bytes[cursor...].firstIndex(of: needle[0]) else { return nil }
            if found + needle.count > bytes.count { return nil }
            if bytes[found..<(found + needle.count)].elementsEqual(needle) { return found }
            cursor = found + 1
        }
        return nil
    }

    func findCaseInsensitive(_ needle: [UInt8], from start: Int) -> Int? {
        var cursor = start
        while cursor + needle.count <= bytes.count {
            guard let found = bytes[cursor...].firstIndex(of: needle[0]) else { return nil }
            if found + needle.count > bytes.count { return nil }
            if zip(bytes[found..<(found + needle.count)], needle).allSatisfy({ MIMEText.lower($0) == $1 }) { return found }
            cursor = found + 1
        }
        return nil
    }
}
