import NIOConcurrencyHelpers

/// Something that happened, for whoever is watching: published on the `EventBus` after it is committed.
///
/// `audience` names the members who may see it; `everyone` events (announcements, the public timeline) go to
/// every subscriber, and each surface filters them further if it must.
public struct Event: Sendable {
    public enum Audience: Sendable, Equatable {
        case accounts(Set<Int64>)
        case everyone

        func contains(_ account: Int64) -> Bool {
            switch self {
            case .accounts(let set): set.contains(account)
            case .everyone: true
            }
        }
    }

    public let audience: Audience
    public let payload: EventPayload

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

/// What an event carries. Surfaces render these in their own terms (JSON frames for the messenger stream).
public enum EventPayload: Sendable {
    /// A new message. Messages are the only events stored, so a client that reconnects gets the ones it
    /// missed from the store, by id; every other event is live only.
    case message(Message)
    case messageEdited(Message)
    case messageDeleted(conversationID: Int64, messageID: Int64)
    /// `account` has read `conversationID` up to message `upTo`.
    case read(conversationID: Int64, accountID: Int64, upTo: Int64)
    case typing(conversationID: Int64, account: Account)
    /// A conversation was created or its members, title or admins changed; `removed` lists members who left
    /// or were removed (they get this one event, then nothing more from the conversation).
    case conversation(conversationID: Int64, removed: Set<Int64>)
    /// The member can no longer use the network (suspended): streams for them end.
    case accountEnded(accountID: Int64)
    /// Anything else, already encoded as a JSON object by the part that publishes it.
    case json(kind: String, object: String)
    /// The feed: what the Mastodon streaming API sends (the messenger's stream ignores these).
    case feed(FeedEvent)

    public var kind: String {
        switch self {
        case .message: "message"
        case .messageEdited: "message_edited"
        case .messageDeleted: "message_deleted"
        case .read: "read"
        case .typing: "typing"
        case .conversation: "conversation"
        case .accountEnded: "account_ended"
        case .json(let kind, _): kind
        case .feed(let event): event.kind
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

    public var kind: String {
        switch self {
        case .home, .network: "update"
        case .deleted: "delete"
        case .notification: "notification"
        }
    }
}

/// Events gathered inside a transaction and published once it has committed, so nobody hears of a change
/// that was rolled back.
public final class EventOutbox: Sendable {
    private let pending = NIOLockedValueBox<[Event]>([])

    public init() {}

    public func add(_ event: Event) { pending.withLockedValue { $0.append(event) } }

    public func publish(to bus: EventBus) {
        for event in pending.withLockedValue({ events in defer { events = [] }; return events }) { bus.publish(event) }
    }
}

/// The in-process event bus: services publish after they commit; each subscriber (a messenger WebSocket, a
/// streaming API connection) gets the events meant for its member through a `sink`, straight into its own
/// queue.
///
/// Publishing never waits: each subscriber has a bounded queue, and a subscriber that falls that far behind
/// is removed and told (`overflowed`) rather than slowing everyone; it resumes from the store.
public final class EventBus: Sendable {
    /// A subscriber: `deliver` takes an event without waiting and says whether there was room for it.
    private struct Entry {
        let deliver: @Sendable (Event) -> Bool
        let overflowed: @Sendable () -> Void
    }

    private struct State {
        var nextID = 0
        /// Subscribers by member; key nil holds those that receive every event.
        var byAccount: [Int64?: [Int: Entry]] = [:]
        var count = 0
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Subscribes a sink to the events whose audience includes `accountID` (every event when nil): the
    /// subscriber's own queue (a connection's loop), so no task is needed just to move events from one stream
    /// to another. `deliver` runs inside `publish`, so it must only enqueue; when it returns false (no room)
    /// the sink is removed and `overflowed` is called once.
    public func sink(accountID: Int64?, deliver: @escaping @Sendable (Event) -> Bool,
                     overflowed: @escaping @Sendable () -> Void) -> EventSink {
        let id = state.withLockedValue { state -> Int in
            state.nextID += 1
            state.byAccount[accountID, default: [:]][state.nextID] = Entry(deliver: deliver, overflowed: overflowed)
            state.count += 1
            return state.nextID
        }
        return EventSink(cancel: { [weak self] in self?.remove(accountID, id) })
    }

    /// A sink into a connection's queue: each event goes in as `step(event)`; when the queue has no room the
    /// sink is removed, `fellBehind` runs and the queue ends, so the connection's loop stops and its client
    /// resumes from the store.
    public func sink<Step: Sendable>(accountID: Int64?, into queue: AsyncStream<Step>.Continuation,
                                     as step: @escaping @Sendable (Event) -> Step,
                                     fellBehind: @escaping @Sendable () -> Void = {}) -> EventSink {
        sink(accountID: accountID, deliver: { event in
            if case .dropped = queue.yield(step(event)) { return false }
            return true
        }, overflowed: {
            fellBehind()
            queue.finish()
        })
    }

    @discardableResult
    private func remove(_ accountID: Int64?, _ id: Int) -> Bool {
        state.withLockedValue { state in
            let removed = state.byAccount[accountID]?.removeValue(forKey: id) != nil
            if removed { state.count -= 1 }
            if state.byAccount[accountID]?.isEmpty == true { state.byAccount[accountID] = nil }
            return removed
        }
    }

    /// Hands the event to every subscriber in its audience, in the order `publish` is called.
    public func publish(_ event: Event) {
        let targets: [(key: Int64?, id: Int, entry: Entry)] = state.withLockedValue { state in
            var targets = (state.byAccount[nil] ?? [:]).map { (key: Int64?.none, id: $0.key, entry: $0.value) }
            switch event.audience {
            case .everyone:
                for (key, entries) in state.byAccount where key != nil {
                    targets += entries.map { (key: key, id: $0.key, entry: $0.value) }
                }
            case .accounts(let accounts):
                for account in accounts {
                    targets += (state.byAccount[account] ?? [:]).map { (key: Int64?.some(account), id: $0.key, entry: $0.value) }
                }
            }
            return targets
        }
        for target in targets where !target.entry.deliver(event) {
            if remove(target.key, target.id) { target.entry.overflowed() }
        }
    }

    /// Open subscriptions (for metrics and tests).
    public var subscriberCount: Int { state.withLockedValue { $0.count } }
}

/// A sink's registration; `cancel` removes it (safe to call more than once).
public struct EventSink: Sendable {
    public let cancel: @Sendable () -> Void
}
