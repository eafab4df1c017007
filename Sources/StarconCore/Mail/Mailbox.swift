/// The special-use mailboxes every member has (RFC 6154), made the first time the member's mail is used.
public enum MailboxRole: String, Sendable, CaseIterable {
    case inbox, sent, drafts, trash, junk

    /// The name the mailbox gets when it is made.
    public var defaultName: String {
        switch self {
        case .inbox: "INBOX"
        case .sent: "Sent"
        case .drafts: "Drafts"
        case .trash: "Trash"
        case .junk: "Junk"
        }
    }

    /// The RFC 6154 attribute (none for INBOX, which IMAP knows by its name).
    public var specialUse: String? {
        switch self {
        case .inbox: nil
        case .sent: "\\Sent"
        case .drafts: "\\Drafts"
        case .trash: "\\Trash"
        case .junk: "\\Junk"
        }
    }
}

/// One of a member's mailboxes. `name` is the full name, `/` between levels, as the member wrote it (IMAP's
/// modified UTF-7 is the IMAP layer's business); INBOX is always "INBOX".
public struct Mailbox: Sendable, Equatable, Identifiable {
    public let id: Int64
    public let accountID: Int64
    public var name: String
    public let role: MailboxRole?
    /// RFC 3501 §2.3.1.1; never reused for this member.
    public let uidValidity: Int64
    /// The uid the next message will get.
    public var uidNext: Int64
    /// The modseq of the newest change (RFC 7162 HIGHESTMODSEQ).
    public var highestModseq: Int64
    public var subscribed: Bool

    /// The hierarchy delimiter.
    public static let delimiter: Character = "/"
}

/// The system flags (RFC 3501 §2.3.2) except \Recent, which belongs to sessions (`MailService.claimRecent`).
public struct MailFlags: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let seen = MailFlags(rawValue: 1)
    public static let answered = MailFlags(rawValue: 2)
    public static let flagged = MailFlags(rawValue: 4)
    public static let deleted = MailFlags(rawValue: 8)
    public static let draft = MailFlags(rawValue: 16)

    /// Each flag with its IMAP name, in a fixed order.
    public static let named: [(MailFlags, String)] = [(.seen, "\\Seen"), (.answered, "\\Answered"), (.flagged, "\\Flagged"),
                                                      (.deleted, "\\Deleted"), (.draft, "\\Draft")]

    /// The flag for an IMAP system-flag name (any case), nil for anything else.
    public init?(imapName: String) {
        guard let found = Self.named.first(where: { $0.1.lowercased() == imapName.lowercased() }) else { return nil }
        self = found.0
    }

    public var imapNames: [String] { Self.named.filter { contains($0.0) }.map(\.1) }
}

/// What a message's header says, read once when it is stored (for lists, threads, search and IMAP's
/// ENVELOPE without reading the message). Texts are decoded (RFC 2047) and unfolded.
public struct MailSummary: Sendable, Equatable {
    public var from = ""
    public var to = ""
    public var cc = ""
    public var subject = ""
    /// `Message-ID` with its angle brackets, as written.
    public var messageID = ""
    public var inReplyTo = ""
    public var references = ""
    /// The `Date` header in Unix milliseconds, nil when missing or unreadable.
    public var date: Int64?
    public var hasAttachments = false

    public init() {}
}

/// A message in a mailbox.
public struct MailEntry: Sendable, Equatable {
    public let mailboxID: Int64
    public let uid: Int64
    /// The stored message (shared by every mailbox that holds a copy); `MailService.raw` reads its bytes.
    public let messageID: Int64
    public var flags: MailFlags
    /// Keywords (RFC 3501 `flag-keyword` atoms such as `$Forwarded`), as set, sorted.
    public var keywords: [String]
    public var modseq: Int64
    /// RFC822.SIZE.
    public let size: Int
    /// INTERNALDATE, Unix milliseconds: when the message arrived (or the date APPEND gave).
    public let internalDate: Int64
    public let summary: MailSummary
}

/// STATUS (RFC 3501 §6.3.10) with CONDSTORE's HIGHESTMODSEQ.
public struct MailboxStatus: Sendable, Equatable {
    public let messages: Int
    public let recent: Int
    public let unseen: Int
    public let uidNext: Int64
    public let uidValidity: Int64
    public let highestModseq: Int64
}

/// STORE's three ways (RFC 3501 §6.4.6): FLAGS, +FLAGS, -FLAGS.
public enum FlagChange: Sendable, Equatable {
    case replace
    case add
    case remove
}

/// Where copied or moved messages went (UIDPLUS's COPYUID): source uids and the new uids, in order.
public struct CopyResult: Sendable, Equatable {
    public let uidValidity: Int64
    public let sourceUIDs: [Int64]
    public let destinationUIDs: [Int64]
}

/// What changed in a mailbox after a modseq (for a session told of a change by an event).
public struct MailboxChanges: Sendable, Equatable {
    /// Entries added or whose flags changed, by uid.
    public let changed: [MailEntry]
    /// Uids expunged, ascending.
    public let expunged: [Int64]
    public let highestModseq: Int64
}
