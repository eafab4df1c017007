/// Builds response bytes with the grammar's quoting: a string goes out quoted when it can be, else as a
/// literal (CR, LF, NUL, quotes and backslashes are fine in a quoted string only escaped; 8-bit text and
/// long text go as literals).
///
///     string = quoted / literal
///     quoted = DQUOTE *QUOTED-CHAR DQUOTE
public struct ResponseWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }
    public mutating func raw(bytes more: some Sequence<UInt8>) { bytes.append(contentsOf: more) }
    public mutating func space() { bytes.append(UInt8(ascii: " ")) }
    public mutating func crlf() { bytes.append(contentsOf: [0x0D, 0x0A]) }

    public mutating func string(_ text: String) { string(bytes: Array(text.utf8)) }

    public mutating func string(bytes value: [UInt8]) {
        let quotable = value.count <= 512 && value.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        guard quotable else { return literal(value) }
        bytes.append(UInt8(ascii: "\""))
        for byte in value {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
            bytes.append(byte)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    ///     literal = "{" number "}" CRLF *CHAR8
    public mutating func literal(_ value: some Collection<UInt8>) {
        raw("{\(value.count)}")
        crlf()
        bytes.append(contentsOf: value)
    }

    ///     nstring = string / nil
    public mutating func nstring(_ text: String?) {
        if let text { string(text) } else { raw("NIL") }
    }

    ///     astring = 1*ASTRING-CHAR / string
    public mutating func astring(_ text: String) {
        let utf8 = Array(text.utf8)
        if !utf8.isEmpty, utf8.allSatisfy(IMAPCharacters.isAstringChar) { bytes.append(contentsOf: utf8) } else { string(bytes: utf8) }
    }

    /// A mailbox name, encoded in modified UTF-7.
    ///
    ///     mailbox = "INBOX" / astring
    public mutating func mailbox(_ name: String) { astring(ModifiedUTF7.encode(name)) }

    /// `(a b c)` of whatever `item` writes.
    public mutating func list<Item>(_ items: [Item], _ item: (inout ResponseWriter, Item) -> Void) {
        bytes.append(UInt8(ascii: "("))
        for (index, element) in items.enumerated() {
            if index > 0 { space() }
            item(&self, element)
        }
        bytes.append(UInt8(ascii: ")"))
    }
}
