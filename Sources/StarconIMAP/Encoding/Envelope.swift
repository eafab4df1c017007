/// A message's ENVELOPE (RFC 3501 §7.4.2): header values as they are in the message (encoded words left
/// encoded), addresses split into their parts.
///
///     envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to SP env-cc SP
///                env-bcc SP env-in-reply-to SP env-message-id ")"
public struct Envelope: Equatable, Sendable {
    public var date: String?
    public var subject: String?
    public var from: [Address]
    public var sender: [Address]
    public var replyTo: [Address]
    public var to: [Address]
    public var cc: [Address]
    public var bcc: [Address]
    public var inReplyTo: String?
    public var messageID: String?

    public init(date: String? = nil, subject: String? = nil, from: [Address] = [], sender: [Address] = [], replyTo: [Address] = [],
                to: [Address] = [], cc: [Address] = [], bcc: [Address] = [], inReplyTo: String? = nil, messageID: String? = nil) {
        self.date = date
        self.subject = subject
        self.from = from
        // RFC 3501 §7.4.2: the server sets sender and reply-to to from when the message has none.
        self.sender = sender.isEmpty ? from : sender
        self.replyTo = replyTo.isEmpty ? from : replyTo
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.inReplyTo = inReplyTo
        self.messageID = messageID
    }

    ///     address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
    public struct Address: Equatable, Sendable {
        public var name: String?
        public var route: String?
        public var mailbox: String?
        public var host: String?

        public init(name: String?, route: String? = nil, mailbox: String?, host: String?) {
            self.name = name
            self.route = route
            self.mailbox = mailbox
            self.host = host
        }
    }
}

extension ResponseWriter {
    mutating func envelope(_ envelope: Envelope) {
        raw("(")
        nstring(envelope.date)
        space()
        nstring(envelope.subject)
        for addresses in [envelope.from, envelope.sender, envelope.replyTo, envelope.to, envelope.cc, envelope.bcc] {
            space()
            // env-from = "(" 1*address ")" / nil
            // No space between addresses: `"(" 1*address ")"`.
            if addresses.isEmpty { raw("NIL") } else {
                raw("(")
                for address in addresses {
                    raw("(")
                    nstring(address.name)
                    space()
                    nstring(address.route)
                    space()
                    nstring(address.mailbox)
                    space()
                    nstring(address.host)
                    raw(")")
                }
                raw(")")
            }
        }
        space()
        nstring(envelope.inReplyTo)
        space()
        nstring(envelope.messageID)
        raw(")")
    }
}
