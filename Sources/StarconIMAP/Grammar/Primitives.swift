/// The grammar's basic values: numbers, atoms, strings, literals, mailboxes, flags, dates.
extension ByteCursor {
    ///     number    = 1*DIGIT          ; unsigned 32-bit
    ///     nz-number = digit-nz *DIGIT
    mutating func number(_ what: String = "a number") throws -> UInt32 {
        let digits = try run(what, while: IMAPCharacters.isDigit)
        guard digits.count <= 10, let value = UInt32(String(decoding: digits, as: UTF8.self)) else { throw fail("\(what) is too large") }
        return value
    }

    mutating func nzNumber(_ what: String = "a number") throws -> UInt32 {
        let value = try number(what)
        guard value > 0 else { throw fail("\(what) must not be 0") }
        return value
    }

    ///     atom = 1*ATOM-CHAR
    mutating func atom(_ what: String = "an atom") throws -> String {
        String(decoding: try run(what, while: IMAPCharacters.isAtomChar), as: UTF8.self)
    }

    ///     string = quoted / literal
    ///     quoted = DQUOTE *QUOTED-CHAR DQUOTE
    ///     QUOTED-CHAR = <any TEXT-CHAR except quoted-specials> / "\" quoted-specials   ; UTF-8 taken (RFC 6855)
    mutating func string(_ what: String = "a string") throws -> [UInt8] {
        if skip(UInt8(ascii: "\"")) {
            var out: [UInt8] = []
            while true {
                guard let byte = peek else { throw fail("unterminated quoted string") }
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return out
                case UInt8(ascii: "\\"):
                    guard let next = peek, next == UInt8(ascii: "\"") || next == UInt8(ascii: "\\") else {
                        throw fail("bad escape in quoted string")
                    }
                    index += 1
                    out.append(next)
                case 0x00, 0x0D, 0x0A: throw fail("CR, LF or NUL in quoted string")
                default: out.append(byte)
                }
            }
        }
        if peek == UInt8(ascii: "{") { return try literal() }
        throw fail("expected \(what)")
    }

    ///     literal = "{" number ["+"] "}" CRLF *CHAR8   ; number is the count of CHAR8s; "+" is LITERAL+
    ///
    /// The framer has already checked the size and read the octets; here they are only taken.
    mutating func literal() throws -> [UInt8] {
        try expect(UInt8(ascii: "{"), "{")
        let count = try number("a literal's size")
        _ = skip(UInt8(ascii: "+"))
        try expect(UInt8(ascii: "}"), "}")
        guard count <= IMAPLimits.maxLiteralSize else { throw fail("literal too large") }
        literals += 1
        guard literals <= IMAPLimits.maxLiterals else { throw fail("too many literals") }
        try expect(0x0D, "CRLF after a literal's size")
        try expect(0x0A, "CRLF after a literal's size")
        guard index + Int(count) <= bytes.count else { throw fail("literal shorter than its size") }
        let data = Array(bytes[index..<(index + Int(count))])
        index += Int(count)
        return data
    }

    ///     astring = 1*ASTRING-CHAR / string
    mutating func astringBytes(_ what: String = "a string") throws -> [UInt8] {
        if let byte = peek, IMAPCharacters.isAstringChar(byte) { return Array(try run(what, while: IMAPCharacters.isAstringChar)) }
        return try string(what)
    }

    mutating func astring(_ what: String = "a string") throws -> String {
        try text(astringBytes(what), what)
    }

    ///     nstring = string / nil
    ///     nil     = "NIL"
    mutating func nstring(_ what: String = "a string") throws -> String? {
        if keyword("NIL") { return nil }
        return try text(string(what), what)
    }

    func text(_ bytes: [UInt8], _ what: String) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw fail("\(what) is not UTF-8") }
        guard !bytes.contains(0) else { throw fail("NUL in \(what)") }
        return text
    }

    ///     mailbox = "INBOX" / astring   ; INBOX is case-insensitive; names are modified UTF-7 (§5.1.3)
    mutating func mailbox() throws -> String {
        let wire = try astring("a mailbox name")
        return try Self.mailboxName(wire)
    }

    static func mailboxName(_ wire: String) throws -> String {
        if wire.uppercased() == "INBOX" { return "INBOX" }
        guard let name = ModifiedUTF7.decode(wire) else { throw IMAPParseError("mailbox name is not valid modified UTF-7") }
        return name
    }

    ///     list-mailbox = 1*list-char / string
    mutating func listMailbox() throws -> String {
        let wire: String
        if let byte = peek, IMAPCharacters.isListChar(byte) {
            wire = String(decoding: try run("a mailbox pattern", while: IMAPCharacters.isListChar), as: UTF8.self)
        } else {
            wire = try text(string("a mailbox pattern"), "a mailbox pattern")
        }
        guard let name = ModifiedUTF7.decode(wire) else { throw fail("mailbox pattern is not valid modified UTF-7") }
        return name
    }

    ///     flag           = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword / flag-extension
    ///     flag-keyword   = atom
    ///     flag-extension = "\" atom
    ///
    /// System flags come back in their canonical case (`\seen` is `\Seen`).
    mutating func flag() throws -> String {
        if skip(UInt8(ascii: "\\")) {
            let name = try atom("a flag")
            for system in IMAPFlag.system where system.dropFirst().lowercased() == name.lowercased() { return system }
            return "\\" + name
        }
        return try atom("a flag")
    }

    ///     flag-list = "(" [flag *(SP flag)] ")"
    mutating func flagList() throws -> [String] {
        try expect(UInt8(ascii: "("), "(")
        var flags: [String] = []
        if skip(UInt8(ascii: ")")) { return flags }
        repeat {
            flags.append(try flag())
            guard flags.count <= IMAPLimits.maxListItems else { throw fail("too many flags") }
        } while skip(UInt8(ascii: " "))
        try expect(UInt8(ascii: ")"), ")")
        return flags
    }

    ///     sequence-set = (seq-number / seq-range) ["," sequence-set]
    ///     seq-range    = seq-number ":" seq-number
    ///     seq-number   = nz-number / "*"
    mutating func sequenceSet() throws -> SequenceSet {
        var ranges: [SequenceRange] = []
        repeat {
            let first = try seqNumber()
            let last = skip(UInt8(ascii: ":")) ? try seqNumber() : first
            ranges.append(SequenceRange(first, last))
            guard ranges.count <= IMAPLimits.maxSequenceRanges else { throw fail("sequence set too long") }
        } while skip(UInt8(ascii: ","))
        return SequenceSet(ranges)
    }

    mutating func seqNumber() throws -> SequenceNumber {
        if skip(UInt8(ascii: "*")) { return .last }
        return .number(try nzNumber("a sequence number"))
    }

    ///     date-month = "Jan" / "Feb" / "Mar" / "Apr" / "May" / "Jun" / "Jul" / "Aug" / "Sep" / "Oct" / "Nov" / "Dec"
    mutating func month() throws -> Int {
        guard index + 3 <= bytes.count else { throw fail("expected a month") }
        let name = bytes[index..<(index + 3)].map(IMAPCharacters.upper)
        guard let month = IMAPDate.months.firstIndex(where: { Array($0.uppercased().utf8) == name }) else { throw fail("expected a month") }
        index += 3
        return month + 1
    }

    ///     date      = date-text / DQUOTE date-text DQUOTE
    ///     date-text = date-day "-" date-month "-" date-year
    ///     date-day  = 1*2DIGIT
    mutating func searchDate() throws -> SearchDate {
        let quoted = skip(UInt8(ascii: "\""))
        let day = try digits(1...2, "a day")
        try expect(UInt8(ascii: "-"), "-")
        let month = try month()
        try expect(UInt8(ascii: "-"), "-")
        let year = try digits(4...4, "a year")
        if quoted { try expect(UInt8(ascii: "\""), "a closing quote") }
        guard (1...31).contains(day) else { throw fail("bad day") }
        return SearchDate(year: year, month: month, day: day)
    }

    ///     date-time      = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
    ///     date-day-fixed = (SP DIGIT) / 2DIGIT
    ///     time           = 2DIGIT ":" 2DIGIT ":" 2DIGIT
    ///     zone           = ("+" / "-") 4DIGIT
    ///
    /// Returns milliseconds since 1970 (UTC).
    mutating func dateTime() throws -> Int64 {
        try expect(UInt8(ascii: "\""), "a date-time")
        _ = skip(UInt8(ascii: " "))
        let day = try digits(1...2, "a day")
        try expect(UInt8(ascii: "-"), "-")
        let month = try month()
        try expect(UInt8(ascii: "-"), "-")
        let year = try digits(4...4, "a year")
        try space()
        let hour = try digits(2...2, "an hour")
        try expect(UInt8(ascii: ":"), ":")
        let minute = try digits(2...2, "minutes")
        try expect(UInt8(ascii: ":"), ":")
        let second = try digits(2...2, "seconds")
        try space()
        let sign: Int
        if skip(UInt8(ascii: "+")) { sign = 1 } else if skip(UInt8(ascii: "-")) { sign = -1 } else { throw fail("expected a zone") }
        let zone = try digits(4...4, "a zone")
        try expect(UInt8(ascii: "\""), "a closing quote")
        guard (1...31).contains(day), hour < 24, minute < 60, second < 61, zone % 100 < 60 else { throw fail("bad date-time") }
        let offset = sign * (zone / 100 * 3600 + zone % 100 * 60)
        let seconds = IMAPDate.daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Int64(seconds) * 1000
    }

    mutating func digits(_ count: ClosedRange<Int>, _ what: String) throws -> Int {
        let run = try run(what, while: IMAPCharacters.isDigit)
        guard count.contains(run.count) else { throw fail("bad \(what)") }
        return Int(String(decoding: run, as: UTF8.self))!
    }
}

/// The system flags (RFC 3501 §2.3.2), as they are written back.
public enum IMAPFlag {
    public static let answered = "\\Answered"
    public static let flagged = "\\Flagged"
    public static let deleted = "\\Deleted"
    public static let seen = "\\Seen"
    public static let draft = "\\Draft"
    public static let recent = "\\Recent"
    public static let system = [answered, flagged, deleted, seen, draft, recent]
}

/// Civil dates for INTERNALDATE and SEARCH (proleptic Gregorian, UTC).
public enum IMAPDate {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Days since 1970-01-01 (H. Hinnant's algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `date-time` for INTERNALDATE in UTC: `"04-Dec-2026 23:15:00 +0000"` (without the quotes).
    public static func format(milliseconds: Int64) -> String {
        let seconds = Int(milliseconds.quotientAndRemainder(dividingBy: 1000).quotient) - (milliseconds < 0 && milliseconds % 1000 != 0 ? 1 : 0)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(day))-\(months[month - 1])-\(year) \(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60)) +0000"
    }
}
