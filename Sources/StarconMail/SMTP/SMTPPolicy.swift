/// What the SMTP session asks of the rest of the server: who a member is, whether an address may receive,
/// and where an accepted message goes. The core answers (`MailService`), so SMTP holds the same rules as
/// every other surface; tests give their own.
public protocol SMTPPolicy: Sendable {
    /// The domains this server delivers to itself (its `--domain`).
    func isLocal(domain: String) -> Bool
    /// Whether mail for this local address is taken now.
    func verdict(for address: MailAddress) async throws -> RecipientVerdict
    /// Checks a member's password (or app password); nil when wrong. Throws `SMTPRefusal` for a throttled or
    /// suspended account.
    func authenticate(username: String, password: String, peer: String) async throws -> SMTPIdentity?
    /// Takes an accepted message (the envelope and the message as received); returns an id for the 250 reply
    /// only once it is durably stored or queued.
    func accept(_ envelope: SMTPEnvelope, message: [UInt8]) async throws -> String
}

public enum RecipientVerdict: Sendable, Equatable {
    case accept
    /// 550 5.1.1: no such member.
    case unknown
    /// 550 5.2.1: the member's mailbox is disabled (suspended).
    case disabled
}

/// A signed-in member, and the addresses they may send as.
public struct SMTPIdentity: Sendable, Equatable {
    public let accountID: Int64
    public let username: String
    public let addresses: Set<MailAddress>
    /// Which app password signed in (nil: the main password), so the session can end when it alone is revoked.
    public let appPasswordID: Int64?

    public init(accountID: Int64, username: String, addresses: Set<MailAddress>, appPasswordID: Int64? = nil) {
        self.accountID = accountID
        self.username = username
        self.addresses = addresses
        self.appPasswordID = appPasswordID
    }
}

/// A refusal the policy wants said in its own words (throttled, suspended).
public struct SMTPRefusal: Error, Sendable, Equatable {
    public let reply: SMTPReply
    public init(_ reply: SMTPReply) { self.reply = reply }
}

/// One transaction's envelope.
public struct SMTPEnvelope: Sendable, Equatable {
    /// nil: the null reverse-path (a bounce).
    public var sender: MailAddress?
    public var recipients: [MailAddress] = []
    public var parameters: [SMTPParameter] = []
    /// The signed-in member when it is a submission; nil for mail from another server.
    public var identity: SMTPIdentity?
    /// `EHLO`'s argument and the peer's address, for the Received header.
    public var clientName: String
    public var peer: String
}
