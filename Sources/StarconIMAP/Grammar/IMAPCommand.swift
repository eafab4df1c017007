/// One command as the client sent it, with its tag.
///
///     command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF
public struct TaggedCommand: Equatable, Sendable {
    public var tag: String
    public var command: IMAPCommand

    public init(tag: String, command: IMAPCommand) {
        self.tag = tag
        self.command = command
    }
}

/// The commands of IMAP4rev1 (RFC 3501 §6) and the extensions Starcon offers: IDLE (RFC 2177), UIDPLUS
/// (RFC 4315), MOVE (RFC 6851), NAMESPACE (RFC 2342), ID (RFC 2971), ENABLE (RFC 5161), UNSELECT (RFC 3691),
/// CONDSTORE (RFC 7162: SELECT's CONDSTORE parameter, FETCH's CHANGEDSINCE, STORE's UNCHANGEDSINCE).
/// Mailbox names are decoded from modified UTF-7; INBOX in any case is `"INBOX"`.
public enum IMAPCommand: Equatable, Sendable {
    // command-any
    case capability
    case noop
    case logout
    case id([IDParameter]?)
    // command-nonauth
    case login(user: String, password: String)
    case authenticate(mechanism: String, initialResponse: String?)
    case startTLS
    // command-auth
    case select(String, condStore: Bool = false)
    case examine(String, condStore: Bool = false)
    case create(String)
    case delete(String)
    case rename(from: String, to: String)
    case subscribe(String)
    case unsubscribe(String)
    case list(reference: String, pattern: String)
    case lsub(reference: String, pattern: String)
    case status(String, [StatusAttribute])
    case append(String, flags: [String], internalDate: Int64?, message: [UInt8])
    case namespace
    case enable([String])
    case idle
    // command-select
    case check
    case close
    case unselect
    case expunge
    case uidExpunge(SequenceSet)
    case search(SearchKey, uid: Bool)
    case fetch(SequenceSet, [FetchAttribute], uid: Bool, changedSince: Int64? = nil)
    case store(SequenceSet, StoreAction, uid: Bool)
    case copy(SequenceSet, String, uid: Bool)
    case move(SequenceSet, String, uid: Bool)
}

/// One pair of an ID command's list (RFC 2971): a field and its value, or NIL.
public struct IDParameter: Equatable, Sendable {
    public var field: String
    public var value: String?

    public init(_ field: String, _ value: String?) {
        self.field = field
        self.value = value
    }
}

///     status-att = "MESSAGES" / "RECENT" / "UIDNEXT" / "UIDVALIDITY" / "UNSEEN"
public enum StatusAttribute: String, Equatable, Sendable, CaseIterable {
    case messages = "MESSAGES"
    case recent = "RECENT"
    case uidNext = "UIDNEXT"
    case uidValidity = "UIDVALIDITY"
    case unseen = "UNSEEN"
    /// RFC 7162 §3.1.6
    case highestModseq = "HIGHESTMODSEQ"
}

///     store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
///     store-modifier  = "UNCHANGEDSINCE" SP mod-sequence-valzer   (RFC 7162)
public struct StoreAction: Equatable, Sendable {
    public enum Mode: Equatable, Sendable { case replace, add, remove }
    public var mode: Mode
    public var silent: Bool
    public var flags: [String]
    /// Only messages whose modseq is at most this are changed (CONDSTORE); the others are named in MODIFIED.
    public var unchangedSince: Int64?

    public init(_ mode: Mode, silent: Bool = false, flags: [String], unchangedSince: Int64? = nil) {
        self.mode = mode
        self.silent = silent
        self.flags = flags
        self.unchangedSince = unchangedSince
    }
}

/// A part of a message by its section specification (RFC 3501 §6.4.5).
///
///     section      = "[" [section-spec] "]"
///     section-spec = section-msgtext / (section-part ["." section-text])
public struct SectionSpec: Hashable, Sendable {
    ///     section-text    = section-msgtext / "MIME"
    ///     section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
    public enum Text: Hashable, Sendable {
        case whole
        case header
        case headerFields([String])
        case headerFieldsNot([String])
        case text
        case mime
    }

    /// `section-part = nz-number *("." nz-number)`; empty for the whole message.
    public var part: [Int]
    public var text: Text

    public init(part: [Int] = [], text: Text = .whole) {
        self.part = part
        self.text = text
    }

    /// The spec as it is echoed in a FETCH response: `1.2.HEADER.FIELDS (FROM TO)`.
    public var description: String {
        var pieces = part.map(String.init)
        switch text {
        case .whole: break
        case .header: pieces.append("HEADER")
        case .headerFields(let names): pieces.append("HEADER.FIELDS (\(names.joined(separator: " ")))")
        case .headerFieldsNot(let names): pieces.append("HEADER.FIELDS.NOT (\(names.joined(separator: " ")))")
        case .text: pieces.append("TEXT")
        case .mime: pieces.append("MIME")
        }
        return pieces.joined(separator: ".")
    }
}

///     fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822" [".HEADER" / ".SIZE" / ".TEXT"] /
///                 "BODY" ["STRUCTURE"] / "UID" / "BODY" section ["<" number "." nz-number ">"] /
///                 "BODY.PEEK" section ["<" number "." nz-number ">"]
public enum FetchAttribute: Hashable, Sendable {
    case envelope
    case flags
    case internalDate
    case rfc822
    case rfc822Header
    case rfc822Size
    case rfc822Text
    /// `BODY` alone: the non-extensible body structure.
    case body
    case bodyStructure
    case uid
    /// RFC 7162: `fetch-att =/ "MODSEQ"`
    case modseq
    case section(SectionSpec, peek: Bool, partial: Partial?)

    ///     "<" number "." nz-number ">"
    public struct Partial: Hashable, Sendable {
        public var offset: Int
        public var length: Int
        public init(offset: Int, length: Int) {
            self.offset = offset
            self.length = length
        }
    }

    ///     "ALL" / "FULL" / "FAST"
    public static let all: [FetchAttribute] = [.flags, .internalDate, .rfc822Size, .envelope]
    public static let fast: [FetchAttribute] = [.flags, .internalDate, .rfc822Size]
    public static let full: [FetchAttribute] = [.flags, .internalDate, .rfc822Size, .envelope, .body]
}

/// A calendar day in a SEARCH (no time, no zone).
///
///     date = date-text / DQUOTE date-text DQUOTE
///     date-text = date-day "-" date-month "-" date-year
public struct SearchDate: Hashable, Sendable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }
}

///     search-key = "ALL" / "ANSWERED" / "BCC" SP astring / "BEFORE" SP date / "BODY" SP astring / … (RFC 3501 §9)
public indirect enum SearchKey: Hashable, Sendable {
    case all
    case answered, deleted, draft, flagged, seen, recent, new, old
    case unanswered, undeleted, undraft, unflagged, unseen
    case keyword(String), unkeyword(String)
    case bcc(String), cc(String), from(String), to(String), subject(String), body(String), text(String)
    case header(String, String)
    case before(SearchDate), on(SearchDate), since(SearchDate)
    case sentBefore(SearchDate), sentOn(SearchDate), sentSince(SearchDate)
    case larger(Int), smaller(Int)
    case uid(SequenceSet)
    case sequence(SequenceSet)
    /// RFC 7162: messages whose modseq is at least this (an entry name, if given, is read and not used).
    case modseq(Int64)
    case not(SearchKey)
    case or(SearchKey, SearchKey)
    /// Keys side by side, or in parentheses: all must match.
    case and([SearchKey])
}
