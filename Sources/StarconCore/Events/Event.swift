/// Something that happened, for whoever is watching. Services add events to the `EventOutbox` of the
/// transaction that makes the change; `EventLog` stores them in that transaction and, once it has committed,
/// every node reads them back in sequence order and hands them to its `EventBus`.
///
/// `audience` names the members who may see it; `everyone` events (the public timeline) go to every
/// subscriber, and each surface filters them further if it must.
public struct Event: Sendable {
    public enum Audience: Sendable, Equatable {
        case accounts(Set<Int64>)
        case everyone
        /// The members of a conversation as they are when the event is delivered: stored as the conversation's
        /// id rather than a list of up to 256 members per message, and turned into `accounts` by the log
        /// before the bus sees it.
        case conversation(Int64)
    }

    public let audience: Audience
    public let payload: EventPayload
    /// The event's place in the log, in commit order on every node (0 before it is stored).
    public internal(set) var seq: Int64 = 0

    public init(audience: Audience, payload: EventPayload) {
        self.audience = audience
        self.payload = payload
    }

    public init(to accounts: some Sequence<Int64>, _ payload: EventPayload) {
        self.init(audience: .accounts(Set(accounts)), payload: payload)
    }

    /// The wire name of the event (`message`, `typing`, …).
    public var kind: String { payload.kind }
}

/// What an event carries. The log stores ids only (`StoredEvent`); a node reads the objects back once
/// (`EventLog`) before its subscribers get them, so a message reaches fifty sockets with one read.
public enum EventPayload: Sendable {
    /// A new message. A client that reconnects gets the ones it missed from the store, by the message's
    /// place in the log (`Message.seq`).
    case message(Message)
    case messageEdited(Message)
    case messageDeleted(conversationID: Int64, messageID: Int64)
    /// `account` has read `conversationID` up to message `upTo`.
    case read(conversationID: Int64, accountID: Int64, upTo: Int64)
    case typing(conversationID: Int64, account: Account)
    /// A conversation was created or its members, title or admins changed; `removed` lists members who left
    /// or were removed (they get this one event, then nothing more from the conversation).
    case conversation(conversationID: Int64, removed: Set<Int64>)
    /// Every session of the member ends now (suspended, password changed): streams and protocol sessions close.
    case accountEnded(accountID: Int64)
    /// One of the member's sessions or tokens was revoked: each stream checks that its own still holds.
    case credentialsRevoked(accountID: Int64)
    /// The feed: what the Mastodon streaming API sends (the messenger's stream ignores these).
    case feed(FeedEvent)
    /// Something changed in one of the member's mailboxes (a delivery, flags, an expunge, a rename): IMAP
    /// sessions (IDLE) read what changed since the modseq they know (`MailService.changes`).
    case mailbox(accountID: Int64, mailboxID: Int64)
    /// An announcement was published (`ended` false) or ended (audience: everyone); each surface reads it in
    /// its reader's language (`AnnouncementService`).
    case announcement(id: Int64, ended: Bool)
    /// This node fell behind the log's horizon (it was cut off from the store longer than events are kept):
    /// every subscriber should reload from the store. Never stored.
    case reload

    public var kind: String {
        switch self {
        case .message: "message"
        case .messageEdited: "message_edited"
        case .messageDeleted: "message_deleted"
        case .read: "read"
        case .typing: "typing"
        case .conversation: "conversation"
        case .accountEnded: "account_ended"
        case .credentialsRevoked: "credentials_revoked"
        case .feed(let event): event.kind
        case .mailbox: "mailbox"
        case .announcement(_, let ended): ended ? "announcement.delete" : "announcement"
        case .reload: "reload"
        }
    }
}

/// A feed event carries ids only: each stream reads the status or notification as its own member may see it.
public enum FeedEvent: Sendable, Equatable {
    /// A status (or repost) arrived in the audience's home timelines.
    case home(statusID: Int64)
    /// A public status for the network-wide and hashtag streams (audience: everyone).
    case network(statusID: Int64, tags: [String])
    case deleted(statusID: Int64)
    case notification(id: Int64)
    /// A status was edited (audience: whoever may have it in a timeline); streams send Mastodon's `status.update`.
    case edited(statusID: Int64)
    /// A direct status changed its participants' conversations (the `direct` stream's `conversation`).
    case direct(statusID: Int64)

    public var kind: String {
        switch self {
        case .home, .network: "update"
        case .edited: "status.update"
        case .direct: "conversation"
        case .deleted: "delete"
        case .notification: "notification"
        }
    }
}
