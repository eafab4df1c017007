/// An event as the log stores it: a kind, an audience and a body of ids separated by spaces. Objects are
/// never stored (the log is not a second copy of the data): `EventLog` reads them back when it delivers.
struct StoredEvent: Sendable, Equatable {
    let kind: String
    let audience: String
    let body: String

    static let everyone = "*"

    init(kind: String, audience: String, body: String) {
        self.kind = kind
        self.audience = audience
        self.body = body
    }

    init(_ event: Event) {
        switch event.audience {
        case .everyone: audience = Self.everyone
        case .accounts(let ids): audience = ids.sorted().map(String.init).joined(separator: ",")
        case .conversation(let id): audience = "c:\(id)"
        }
        if case .feed = event.payload { kind = "feed." + Self.feedKind(event.payload) } else { kind = event.kind }
        body = Self.body(event.payload)
    }

    private static func feedKind(_ payload: EventPayload) -> String {
        guard case .feed(let feed) = payload else { return "" }
        switch feed {
        case .home: return "home"
        case .network: return "network"
        case .deleted: return "deleted"
        case .notification: return "notification"
        case .edited: return "edited"
        case .direct: return "direct"
        }
    }

    private static func body(_ payload: EventPayload) -> String {
        func join(_ values: [Int64]) -> String { values.map(String.init).joined(separator: " ") }
        switch payload {
        case .message(let message), .messageEdited(let message): return String(message.id)
        case .messageDeleted(let conversation, let message): return join([conversation, message])
        case .read(let conversation, let account, let upTo): return join([conversation, account, upTo])
        case .typing(let conversation, let account): return join([conversation, account.id])
        case .conversation(let conversation, let removed): return join([conversation] + removed.sorted())
        case .accountEnded(let account), .credentialsRevoked(let account): return String(account)
        case .mailbox(let account, let mailbox): return join([account, mailbox])
        case .announcement(let id, _): return String(id)
        case .reload: return ""
        case .feed(let feed):
            switch feed {
            case .home(let status), .deleted(let status), .edited(let status), .direct(let status): return String(status)
            case .notification(let id): return String(id)
            // Hashtags are letters, digits and underscores (StatusText), so a space separates them.
            case .network(let status, let tags): return ([String(status)] + tags).joined(separator: " ")
            }
        }
    }

    /// The audience, or nil when the row is damaged.
    var decodedAudience: Event.Audience? {
        if audience == Self.everyone { return .everyone }
        if audience.hasPrefix("c:") { return Int64(audience.dropFirst(2)).map(Event.Audience.conversation) }
        if audience.isEmpty { return .accounts([]) }
        var ids = Set<Int64>()
        for part in audience.split(separator: ",") {
            guard let id = Int64(part) else { return nil }
            ids.insert(id)
        }
        return .accounts(ids)
    }

    var ids: [Int64] { body.split(separator: " ").compactMap { Int64($0) } }

    /// What must be read from the store before the event can be delivered.
    enum Needs: Equatable {
        case nothing
        case message(Int64)
        case account(Int64)
    }

    var needs: Needs {
        switch kind {
        case "message", "message_edited": ids.first.map(Needs.message) ?? .nothing
        case "typing": ids.count == 2 ? .account(ids[1]) : .nothing
        default: .nothing
        }
    }

    /// The event, given the objects it names; nil for an unknown kind, a damaged body, or an object that is
    /// gone (a message deleted before it was delivered: its `message_deleted` follows).
    func event(seq: Int64, messages: [Int64: Message], accounts: [Int64: Account], members: [Int64: Set<Int64>] = [:]) -> Event? {
        guard var audience = decodedAudience else { return nil }
        if case .conversation(let id) = audience { audience = .accounts(members[id] ?? []) }
        let ids = self.ids
        let payload: EventPayload
        switch kind {
        case "message", "message_edited":
            guard let id = ids.first, var message = messages[id] else { return nil }
            if kind == "message" { message.seq = seq }
            payload = kind == "message" ? .message(message) : .messageEdited(message)
        case "message_deleted":
            guard ids.count == 2 else { return nil }
            payload = .messageDeleted(conversationID: ids[0], messageID: ids[1])
        case "read":
            guard ids.count == 3 else { return nil }
            payload = .read(conversationID: ids[0], accountID: ids[1], upTo: ids[2])
        case "typing":
            guard ids.count == 2, let account = accounts[ids[1]] else { return nil }
            payload = .typing(conversationID: ids[0], account: account)
        case "conversation":
            guard let conversation = ids.first else { return nil }
            payload = .conversation(conversationID: conversation, removed: Set(ids.dropFirst()))
        case "account_ended", "credentials_revoked":
            guard ids.count == 1 else { return nil }
            payload = kind == "account_ended" ? .accountEnded(accountID: ids[0]) : .credentialsRevoked(accountID: ids[0])
        case "feed.home", "feed.deleted", "feed.notification", "feed.edited", "feed.direct":
            guard ids.count == 1 else { return nil }
            switch kind {
            case "feed.home": payload = .feed(.home(statusID: ids[0]))
            case "feed.edited": payload = .feed(.edited(statusID: ids[0]))
            case "feed.direct": payload = .feed(.direct(statusID: ids[0]))
            case "feed.deleted": payload = .feed(.deleted(statusID: ids[0]))
            default: payload = .feed(.notification(id: ids[0]))
            }
        case "mailbox":
            guard ids.count == 2 else { return nil }
            payload = .mailbox(accountID: ids[0], mailboxID: ids[1])
        case "announcement", "announcement.delete":
            guard ids.count == 1 else { return nil }
            payload = .announcement(id: ids[0], ended: kind == "announcement.delete")
        case "feed.network":
            let parts = body.split(separator: " ")
            guard let status = parts.first.flatMap({ Int64($0) }) else { return nil }
            payload = .feed(.network(statusID: status, tags: parts.dropFirst().map(String.init)))
        default:
            return nil
        }
        var event = Event(audience: audience, payload: payload)
        event.seq = seq
        return event
    }
}
