import NIOConcurrencyHelpers

/// The in-process event bus: this node's `EventLog` publishes each committed event here, in sequence order;
/// each subscriber (a messenger WebSocket, a streaming API connection, an NNTP session) gets the events meant
/// for its member through a `sink`, straight into its own queue.
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

    /// Hands the event to every subscriber in its audience, in the order `publish` is called. Only the
    /// `EventLog` publishes (and tests): a service adds its events to the transaction's outbox instead.
    func publish(_ event: Event) {
        let targets: [(key: Int64?, id: Int, entry: Entry)] = state.withLockedValue { state in
            var targets = (state.byAccount[nil] ?? [:]).map { (key: Int64?.none, id: $0.key, entry: $0.value) }
            switch event.audience {
            case .everyone:
                for (key, entries) in state.byAccount where key != nil {
                    targets += entries.map { (key: key, id: $0.key, entry: $0.value) }
                }
            case .conversation:
                break  // the log resolves it to `accounts` before publishing
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
