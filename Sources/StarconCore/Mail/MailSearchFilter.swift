import SQLKit

/// What a mail search asks of one mailbox, in terms the store can answer with SQL (IMAP's SEARCH keys are
/// translated to it by the IMAP front). The store returns a SUPERSET of the matching entries (`candidates`):
/// flags, sizes, dates and uids are exact; text terms are narrowed by the text index and the summary columns;
/// `.unknown` (keywords, Bcc, HEADER, sequence numbers, \Recent) lets everything through. The caller then
/// checks each candidate with its exact rules, so the answer equals a scan of the whole mailbox while only the
/// few candidates are read.
public indirect enum MailSearchFilter: Sendable, Equatable {
    public enum Flag: String, Sendable { case seen, answered, flagged, deleted, draft }
    public enum Field: String, Sendable { case from = "from_text", to = "to_text", cc = "cc_text", subject }
    public enum DayTest: Sendable { case before, on, since }

    case all
    case flag(Flag, Bool)
    case uids(MailUIDSet)
    case larger(Int), smaller(Int)
    /// The internal (received) date's UTC day, days since 1970-01-01.
    case received(DayTest, day: Int)
    /// The Date header's UTC day; a message without one never matches.
    case sent(DayTest, day: Int)
    /// The decoded header field contains the text (case-insensitive).
    case field(Field, String)
    /// The text parts as the index keeps them (`MailSearchText`) contain the text.
    case body(String)
    /// The header bytes, sender, subject or body contain the text.
    case text(String)
    case unknown
    case not(MailSearchFilter)
    case or(MailSearchFilter, MailSearchFilter)
    case and([MailSearchFilter])

    /// The condition over `mail_entries e JOIN mail_messages m` and whether it is exact (else a superset).
    func condition(index: TextSearchIndex) -> (sql: SQLQueryString, exact: Bool) {
        switch self {
        case .all, .unknown: return ("1 = 1", self == .all)
        case .flag(let flag, let set): return ("e.\(unsafeRaw: flag.rawValue) = \(unsafeRaw: set ? "1" : "0")", true)
        case .uids(let set): return (set.sqlCondition(), true)
        case .larger(let size): return ("m.size > \(bind: size)", true)
        case .smaller(let size): return ("m.size < \(bind: size)", true)
        case .received(let test, let day): return (Self.dayCondition("m.received_at", test, day), true)
        case .sent(let test, let day):
            return ("(m.sent_at IS NOT NULL AND \(Self.dayCondition("m.sent_at", test, day)))", true)
        case .field(let field, let text):
            guard !text.isEmpty else { return ("1 = 1", true) }
            if text.unicodeScalars.allSatisfy(\.isASCII) {
                return (Self.position(index.engine, in: "lower(COALESCE(m.\(field.rawValue), ''))", bind: text.lowercased()), false)
            }
            // SQLite's lower() folds ASCII only: a non-ASCII word is looked up in the index's folded fields.
            switch field {
            case .subject, .from:
                guard let query = TextSearchIndex.normalizedQuery(text) else { return ("1 = 1", false) }
                return (index.condition(idColumn: "m.id", query: query, field: field == .subject ? .subject : .sender), false)
            case .to, .cc: return ("1 = 1", false)
            }
        case .body(let text):
            guard let query = TextSearchIndex.normalizedQuery(text) else { return ("1 = 1", false) }
            return (index.condition(idColumn: "m.id", query: query, field: .body), false)
        case .text(let text):
            guard let query = TextSearchIndex.normalizedQuery(text) else { return ("1 = 1", false) }
            return ("(\(index.condition(idColumn: "m.id", query: query, field: .all)) OR \(Self.headerContains(text, engine: index.engine)))", false)
        case .not(let inner):
            let (sql, exact) = inner.condition(index: index)
            return exact ? ("NOT (\(sql))", true) : ("1 = 1", false)
        case .or(let a, let b):
            let (left, leftExact) = a.condition(index: index), (right, rightExact) = b.condition(index: index)
            return ("((\(left)) OR (\(right)))", leftExact && rightExact)
        case .and(let filters):
            guard !filters.isEmpty else { return ("1 = 1", true) }
            var sql: SQLQueryString = "("
            var exact = true
            for (position, filter) in filters.enumerated() {
                let (part, partExact) = filter.condition(index: index)
                if position > 0 { sql.appendInterpolation(unsafeRaw: " AND ") }
                sql.appendInterpolation(unsafeRaw: "(")
                sql.appendInterpolation(part)
                sql.appendInterpolation(unsafeRaw: ")")
                exact = exact && partExact
            }
            sql.appendInterpolation(unsafeRaw: ")")
            return (sql, exact)
        }
    }

    static func dayCondition(_ column: String, _ test: DayTest, _ day: Int) -> SQLQueryString {
        let start = Int64(day) * 86_400_000, end = Int64(day + 1) * 86_400_000
        switch test {
        case .before: return "\(unsafeRaw: column) < \(bind: start)"
        case .on: return "(\(unsafeRaw: column) >= \(bind: start) AND \(unsafeRaw: column) < \(bind: end))"
        case .since: return "\(unsafeRaw: column) >= \(bind: start)"
        }
    }

    static func position(_ engine: DatabaseEngine, in haystack: String, bind needle: String) -> SQLQueryString {
        engine == .sqlite ? "instr(\(unsafeRaw: haystack), \(bind: needle)) > 0" : "strpos(\(unsafeRaw: haystack), \(bind: needle)) > 0"
    }

    /// The raw header bytes contain the text, ASCII letters in any case (bytes of other letters as written):
    /// PostgreSQL compares the bytes in their `escape` text form, which never fails on invalid UTF-8.
    static func headerContains(_ text: String, engine: DatabaseEngine) -> SQLQueryString {
        switch engine {
        case .sqlite:
            return "instr(lower(CAST(m.header AS TEXT)), \(bind: asciiLowered(text))) > 0"
        case .postgres:
            var escaped = ""
            for byte in asciiLowered(text).utf8 {
                if byte == UInt8(ascii: "\\") { escaped += "\\\\" } else if byte >= 0x80 { escaped += "\\" + String(byte, radix: 8) } else { escaped.append(Character(Unicode.Scalar(byte))) }
            }
            return "strpos(lower(encode(m.header, 'escape')), \(bind: escaped)) > 0"
        }
    }

    static func asciiLowered(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            scalars.append((65...90).contains(scalar.value) ? Unicode.Scalar(scalar.value + 32)! : scalar)
        }
        return String(scalars)
    }
}
