/// One SMTP command (RFC 5321 §4.1, with AUTH from RFC 4954 and STARTTLS from RFC 3207), as the parser
/// found it: verbs are case-insensitive on the wire and typed here.
public enum SMTPCommand: Sendable, Equatable {
    /// `ehlo = "EHLO" SP ( Domain / address-literal ) CRLF`
    case ehlo(String)
    /// `helo = "HELO" SP Domain CRLF`
    case helo(String)
    /// `mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF`; a nil path is the null reverse-path `<>`
    /// (bounces).
    case mail(from: MailAddress?, parameters: [SMTPParameter])
    /// `rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path ) [SP Rcpt-parameters] CRLF`
    case rcpt(to: MailAddress, parameters: [SMTPParameter])
    /// `data = "DATA" CRLF`
    case data
    /// `rset = "RSET" CRLF`
    case rset
    /// `noop = "NOOP" [ SP String ] CRLF`
    case noop
    /// `quit = "QUIT" CRLF`
    case quit
    /// `vrfy = "VRFY" SP String CRLF`
    case vrfy(String)
    /// `expn = "EXPN" SP String CRLF`
    case expn(String)
    /// `help = "HELP" [ SP String ] CRLF`
    case help
    /// RFC 3207: `STARTTLS CRLF`
    case startTLS
    /// RFC 4954: `"AUTH" SP sasl-mech [SP initial-response] CRLF`; `=` is an empty initial response.
    case auth(mechanism: String, initialResponse: String?)
}

/// `esmtp-param = esmtp-keyword ["=" esmtp-value]` (RFC 5321 §4.1.2); keywords are kept upper-case.
public struct SMTPParameter: Sendable, Equatable {
    public let keyword: String
    public let value: String?

    public init(_ keyword: String, _ value: String? = nil) {
        self.keyword = keyword.uppercased()
        self.value = value
    }
}

/// `Mailbox = Local-part "@" ( Domain / address-literal )` (RFC 5321 §4.1.2), UTF-8 allowed (RFC 6531).
/// The local part is kept as written (it may be case-sensitive elsewhere); the domain is lower-cased, as
/// domains are compared without case.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    public let localPart: String
    public let domain: String

    public init(localPart: String, domain: String) {
        self.localPart = localPart
        self.domain = domain.lowercased()
    }

    /// Parses `local@domain` (no angle brackets); nil when it is not a mailbox.
    public init?(_ text: String) {
        guard let parsed = SMTPCommandParser.mailbox(Substring(text)) else { return nil }
        self = parsed
    }

    public var description: String { "\(localPart)@\(domain)" }

    /// `<Postmaster>` without a domain (RFC 5321 §4.1.1.3), which every server must accept.
    public var isBarePostmaster: Bool { domain.isEmpty && localPart.lowercased() == "postmaster" }

    /// Whether any character is outside ASCII (needs SMTPUTF8 on the way out, RFC 6531).
    public var needsUTF8: Bool { !description.utf8.allSatisfy { $0 < 0x80 } }
}
