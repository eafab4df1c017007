/// One parameter of a Content-Type or Content-Disposition field, its name lowercased and its value decoded
/// (quoted-string unquoted, RFC 2231 continuations joined and their charset applied).
public struct MIMEParameter: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The parameters of a field, in the order they first appeared.
public struct MIMEParameters: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    public var items: [MIMEParameter]

    public init(_ items: [MIMEParameter] = []) { self.items = items }
    public init(dictionaryLiteral elements: (String, String)...) {
        items = elements.map { MIMEParameter(name: $0.0.lowercased(), value: $0.1) }
    }

    public var startIndex: Int { items.startIndex }
    public var endIndex: Int { items.endIndex }
    public subscript(position: Int) -> MIMEParameter { items[position] }

    /// The value of the parameter of that name (any case).
    public subscript(_ name: String) -> String? {
        items.first { $0.name.caseInsensitiveEquals(name) }?.value
    }
}

/// A structured field value `token [ "/" token ] *( ";" parameter )` (RFC 2045 §5.1, RFC 2183, RFC 2231),
/// read as leniently as mail clients write it: comments skipped, quoted strings with `\` pairs and any `;`,
/// unquoted values running to the next `;`, RFC 2231 sections `name*0*=utf-8''%E2%82%AC` joined in order.
public enum HeaderParameters {
    /// The leading value (lowercased, e.g. `text/plain` or `attachment`) and the parameters after it.
    /// `backslashEscapes: false` reads `\` inside quotes as itself, as HTML form uploads send it
    /// (`filename="C:\photos\a.jpg"`, WHATWG multipart/form-data encoding).
    public static func parse(_ value: String, backslashEscapes: Bool = true) -> (value: String, parameters: MIMEParameters) {
        var reader = Reader(Array(value.utf8))
        reader.escapes = backslashEscapes
        let head = reader.leadingValue()
        var raw: [(name: String, section: Int?, extended: Bool, value: [UInt8])] = []
        while reader.skipTo(semicolon: true) {
            guard let (parsedName, bytes) = reader.parameter() else { continue }
            var name = parsedName
            var extended = false
            var section: Int?
            if name.hasSuffix("*") {
                extended = true
                name.removeLast()
            }
            if let star = name.lastIndex(of: "*"), let number = Int(name[name.index(after: star)...]), number >= 0, number < 1000 {
                section = number
                name = String(name[..<star])
            }
            guard !name.isEmpty, raw.count < 1000 else { continue }
            raw.append((name, section, extended, bytes))
        }
        return (head, join(raw))
    }

    /// RFC 2231 §3–4: sections of one name are joined by number; `*`-marked ones are percent-decoded in the
    /// charset named by the first section.
    private static func join(_ raw: [(name: String, section: Int?, extended: Bool, value: [UInt8])]) -> MIMEParameters {
        var order: [String] = []
        var plain: [String: [UInt8]] = [:]
        var sections: [String: [Int: (extended: Bool, value: [UInt8])]] = [:]
        var wholeExtended: [String: [UInt8]] = [:]
        for item in raw {
            if !order.contains(item.name) { order.append(item.name) }
            if let number = item.section {
                if sections[item.name]?[number] == nil { sections[item.name, default: [:]][number] = (item.extended, item.value) }
            } else if item.extended {
                if wholeExtended[item.name] == nil { wholeExtended[item.name] = item.value }
            } else if plain[item.name] == nil {
                plain[item.name] = item.value
            }
        }
        var result: [MIMEParameter] = []
        for name in order {
            // An RFC 2231 form wins over a plain one of the same name (clients send both for old readers).
            if let value = wholeExtended[name] {
                let (charset, data) = extendedValue(value, first: true)
                result.append(MIMEParameter(name: name, value: Charsets.decode(data, charset: charset ?? "utf-8")))
            } else if let parts = sections[name] {
                var charset: String?
                var bytes: [UInt8] = []
                var number = 0
                while let part = parts[number] {
                    if part.extended {
                        let (set, data) = extendedValue(part.value, first: number == 0)
                        if number == 0 { charset = set }
                        bytes += data
                    } else {
                        bytes += part.value
                    }
                    number += 1
                }
                result.append(MIMEParameter(name: name, value: Charsets.decode(bytes, charset: charset ?? "utf-8")))
            } else if let value = plain[name] {
                result.append(MIMEParameter(name: name, value: MIMEText.headerString(value)))
            }
        }
        return MIMEParameters(result)
    }

    /// `charset'language'%XX…` (the first section) or `%XX…` (later ones).
    private static func extendedValue(_ value: [UInt8], first: Bool) -> (charset: String?, bytes: [UInt8]) {
        var body = value[...]
        var charset: String?
        if first, let q1 = value.firstIndex(of: 0x27), let q2 = value[(q1 + 1)...].firstIndex(of: 0x27) {
            charset = String(decoding: value[..<q1], as: UTF8.self)
            body = value[(q2 + 1)...]
        }
        var out: [UInt8] = []
        var index = body.startIndex
        while index < body.endIndex {
            if body[index] == 0x25, index + 2 < body.endIndex + 0, let high = hex(body[index + 1]), let low = hex(body[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(body[index])
                index += 1
            }
        }
        return (charset.flatMap { $0.isEmpty ? nil : $0 }, out)
    }

    static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0
        var escapes = true

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index >= bytes.count }

        /// Spaces, tabs, line ends and (nested) comments.
        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0D, 0x0A: index += 1
                case 0x28: skipComment()
                default: return
                }
            }
        }

        mutating func skipComment() {
            var depth = 0
            while index < bytes.count {
                switch bytes[index] {
                case 0x28: depth += 1
                case 0x29: depth -= 1
                case 0x5C: index += 1
                default: break
                }
                index += 1
                if depth == 0 { return }
            }
        }

        /// The text before the first `;`, without comments and spaces, lowercased.
        mutating func leadingValue() -> String {
            var out: [UInt8] = []
            while index < bytes.count, bytes[index] != 0x3B {
                switch bytes[index] {
                case 0x20, 0x09, 0x0D, 0x0A: index += 1
                case 0x28: skipComment()
                case 0x22: out += quoted()
                default:
                    out.append(MIMEText.lower(bytes[index]))
                    index += 1
                }
            }
            return MIMEText.headerString(out)
        }

        /// Moves past the next `;`; false at the end.
        mutating func skipTo(semicolon: Bool) -> Bool {
            while index < bytes.count {
                if bytes[index] == 0x3B {
                    index += 1
                    return true
                }
                if bytes[index] == 0x22 { _ = quoted() } else if bytes[index] == 0x28 { skipComment() } else { index += 1 }
            }
            return false
        }

        /// `name = value` up to (not past) the next `;`.
        mutating func parameter() -> (String, [UInt8])? {
            skipSpace()
            var name: [UInt8] = []
            while index < bytes.count, bytes[index] != 0x3D, bytes[index] != 0x3B {
                let byte = bytes[index]
                if byte == 0x28 { skipComment(); continue }
                if byte != 0x20, byte != 0x09, byte != 0x0D, byte != 0x0A { name.append(MIMEText.lower(byte)) }
                index += 1
            }
            guard index < bytes.count, bytes[index] == 0x3D, !name.isEmpty else { return nil }
            index += 1
            skipSpace()
            var value: [UInt8] = []
            if index < bytes.count, bytes[index] == 0x22 {
                value = quoted()
            } else {
                while index < bytes.count, bytes[index] != 0x3B {
                    let byte = bytes[index]
                    if byte == 0x28 { break }
                    if byte != 0x0D, byte != 0x0A { value.append(byte) }
                    index += 1
                }
                while let last = value.last, last == 0x20 || last == 0x09 { value.removeLast() }
            }
            return (String(decoding: name, as: UTF8.self), value)
        }

        /// A quoted-string starting at `"`: its content with `\x` pairs resolved and folds removed.
        mutating func quoted() -> [UInt8] {
            var out: [UInt8] = []
            index += 1
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case 0x22: return out
                case 0x5C where escapes:
                    if index < bytes.count {
                        out.append(bytes[index])
                        index += 1
                    }
                case 0x0D, 0x0A: continue
                default: out.append(byte)
                }
            }
            return out
        }
    }
}
