/// One header field as it was sent: its name, its bytes, and its value unfolded.
public struct MIMEHeaderField: Sendable, Hashable {
    /// The name as written (compare with `is(_:)`, names are case-insensitive).
    public let name: String
    /// The octets of the whole field in the original message, from the name to the line end (included).
    public let range: Range<Int>
    /// The octets after the colon, folding kept, the final line end dropped.
    public let rawValue: [UInt8]

    public init(name: String, range: Range<Int>, rawValue: [UInt8]) {
        self.name = name
        self.range = range
        self.rawValue = rawValue
    }

    /// The value unfolded (each CRLF or LF before a space or tab removed), outer whitespace trimmed, read as
    /// UTF-8 (RFC 6532) or, when the bytes are not UTF-8, as ISO-8859-1. Encoded words are left as they are.
    public var value: String { MIMEText.headerString(MIMEHeaderField.unfold(rawValue)) }

    /// The value with RFC 2047 encoded words decoded (for display: Subject, a display name, a filename).
    public var decodedValue: String { EncodedWords.decode(value) }

    public func `is`(_ other: String) -> Bool { name.caseInsensitiveEquals(other) }

    static func unfold(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D || byte == 0x0A {
                index += 1
                continue
            }
            out.append(byte)
            index += 1
        }
        // Outer whitespace is not part of the value.
        var start = 0, end = out.count
        while start < end, out[start] == 0x20 || out[start] == 0x09 { start += 1 }
        while end > start, out[end - 1] == 0x20 || out[end - 1] == 0x09 { end -= 1 }
        return Array(out[start..<end])
    }
}

/// The ordered fields of one entity's header.
public struct MIMEHeader: Sendable, Hashable, RandomAccessCollection {
    public var fields: [MIMEHeaderField]

    public init(_ fields: [MIMEHeaderField] = []) { self.fields = fields }

    public var startIndex: Int { fields.startIndex }
    public var endIndex: Int { fields.endIndex }
    public subscript(position: Int) -> MIMEHeaderField { fields[position] }

    /// The first field of that name.
    public func first(_ name: String) -> MIMEHeaderField? { fields.first { $0.is(name) } }
    /// Every field of that name, in order.
    public func all(_ name: String) -> [MIMEHeaderField] { fields.filter { $0.is(name) } }
    /// The unfolded, undecoded value of the first field of that name.
    public subscript(_ name: String) -> String? { first(name)?.value }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where MIMEText.lower(x) != MIMEText.lower(y) { return false }
        return true
    }
}

enum MIMEText {
    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    /// Header bytes as text: UTF-8 when valid (RFC 6532), else ISO-8859-1 so no byte is lost or refused.
    static func headerString<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }
}
