/// A message's (or a part's) header as byte ranges, for BODY[HEADER.FIELDS …] and ENVELOPE: each field's
/// whole lines, folding kept, so a client gets back exactly the octets that were stored.
struct MessageHeader {
    /// Octets up to and including the blank line that ends the header (all of them when there is none).
    let size: Int
    let fields: [(name: String, range: Range<Int>)]

    init(_ raw: ArraySlice<UInt8>) {
        var fields: [(String, Range<Int>)] = []
        var index = raw.startIndex
        var end = raw.endIndex
        while index < raw.endIndex {
            let lineEnd = raw[index...].firstIndex(of: 0x0A).map { $0 + 1 } ?? raw.endIndex
            let line = raw[index..<lineEnd]
            if line.first == 0x0A || (line.first == 0x0D && line.count <= 2) {
                end = lineEnd
                break
            }
            if line.first == 0x20 || line.first == 0x09 {
                if let last = fields.last { fields[fields.count - 1].1 = last.1.lowerBound..<lineEnd }
            } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                let name = String(decoding: raw[index..<colon], as: UTF8.self).trimming([" ", "\t"])
                fields.append((name, index..<lineEnd))
            }
            index = lineEnd
        }
        size = end - raw.startIndex
        self.fields = fields
        self.raw = raw
    }

    private let raw: ArraySlice<UInt8>

    /// The first field's value, unfolded and trimmed, encoded words left as they are (as ENVELOPE wants).
    func value(_ name: String) -> String? {
        guard let field = fields.first(where: { $0.name.caseInsensitiveEquals(name) }) else { return nil }
        let bytes = raw[field.range]
        let colon = bytes.firstIndex(of: UInt8(ascii: ":"))! + 1
        let unfolded = bytes[colon...].filter { $0 != 0x0D && $0 != 0x0A }
        let text = String(validating: unfolded, as: UTF8.self) ?? String(String.UnicodeScalarView(unfolded.map { Unicode.Scalar($0) }))
        return text.trimming([" ", "\t"])
    }

    /// `HEADER.FIELDS (…)` or `.NOT`: the matching fields' lines and the blank line after them.
    func lines(_ names: [String], not: Bool) -> [UInt8] {
        var out: [UInt8] = []
        for field in fields where names.contains(where: { $0.caseInsensitiveEquals(field.name) }) != not {
            out += raw[field.range]
            if out.last != 0x0A { out += [0x0D, 0x0A] }
        }
        return out + [0x0D, 0x0A]
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count && lowercased() == other.lowercased()
    }

    func trimming(_ set: Set<Character>) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
