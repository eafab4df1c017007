/// Reads a command's bytes front to back. Every `expect`/`read` either advances or throws.
struct ByteCursor {
    let bytes: [UInt8]
    var index = 0
    var depth = 0
    var literals = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    func fail(_ message: String) -> IMAPParseError { IMAPParseError(message) }

    mutating func skip(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws {
        guard skip(byte) else { throw fail("expected \(what)") }
    }

    mutating func space() throws { try expect(UInt8(ascii: " "), "a space") }

    /// Case-insensitive keyword, not followed by another atom character.
    mutating func keyword(_ word: String) -> Bool {
        let utf8 = Array(word.utf8)
        guard index + utf8.count <= bytes.count else { return false }
        for (offset, byte) in utf8.enumerated() where IMAPCharacters.upper(bytes[index + offset]) != byte { return false }
        let next = index + utf8.count
        if next < bytes.count, IMAPCharacters.isAtomChar(bytes[next]), IMAPCharacters.isAtomChar(utf8.last!) { return false }
        index = next
        return true
    }

    /// Bytes while `predicate` holds (at least one).
    mutating func run(_ what: String, while predicate: (UInt8) -> Bool) throws -> ArraySlice<UInt8> {
        let start = index
        while let byte = peek, predicate(byte) { index += 1 }
        guard index > start else { throw fail("expected \(what)") }
        return bytes[start..<index]
    }

    /// Enters one level of parentheses (or NOT/OR), refusing nesting past the limit.
    mutating func enter() throws {
        depth += 1
        guard depth <= IMAPLimits.maxNesting else { throw fail("nested too deeply") }
    }

    mutating func leave() { depth -= 1 }
}

/// The character classes of RFC 3501 §9.
enum IMAPCharacters {
    static func upper(_ byte: UInt8) -> UInt8 { byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte }

    ///     CTL = %x00-1F / %x7F
    static func isCTL(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }

    ///     ATOM-CHAR    = <any CHAR except atom-specials>
    ///     atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
    static func isAtomChar(_ byte: UInt8) -> Bool {
        guard byte < 0x80, !isCTL(byte) else { return false }
        return !"(){ %*\"\\]".utf8.contains(byte)
    }

    ///     ASTRING-CHAR = ATOM-CHAR / resp-specials
    static func isAstringChar(_ byte: UInt8) -> Bool { isAtomChar(byte) || byte == UInt8(ascii: "]") }

    ///     list-char = ATOM-CHAR / list-wildcards / resp-specials
    static func isListChar(_ byte: UInt8) -> Bool {
        isAstringChar(byte) || byte == UInt8(ascii: "%") || byte == UInt8(ascii: "*")
    }

    ///     tag = 1*<any ASTRING-CHAR except "+">
    static func isTagChar(_ byte: UInt8) -> Bool { isAstringChar(byte) && byte != UInt8(ascii: "+") }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}
