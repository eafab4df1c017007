import NIOConcurrencyHelpers

/// The events of one write transaction. `EventLog.write` stores them as the transaction's last statements,
/// so they commit (or roll back) with the change, and tells the caller the places they were given.
public final class EventOutbox: Sendable {
    private struct State {
        var pending: [Event] = []
        /// Rows whose `seq` column takes the place of one of the pending events (a message's place in the log).
        var stamps: [(event: Int, table: StampedTable, id: Int64)] = []
        var assigned: [Int64] = []
    }

    /// Tables with a `seq` column that records the place of the event that created a row.
    enum StampedTable: String, Sendable {
        case messages
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Adds an event; returns its index in this transaction (for `seq(of:)`).
    @discardableResult
    public func add(_ event: Event) -> Int {
        state.withLockedValue { state in
            state.pending.append(event)
            return state.pending.count - 1
        }
    }

    /// Adds an event and records its place in the log on the row `id` of `table`.
    @discardableResult
    func add(_ event: Event, stamping table: StampedTable, id: Int64) -> Int {
        state.withLockedValue { state in
            state.pending.append(event)
            state.stamps.append((state.pending.count - 1, table, id))
            return state.pending.count - 1
        }
    }

    /// The place the event at `index` was given, once the transaction has stored it.
    public func seq(of index: Int) -> Int64 {
        state.withLockedValue { $0.assigned.indices.contains(index) ? $0.assigned[index] : 0 }
    }

    /// The transaction stored at least one event.
    var stored: Bool { state.withLockedValue { !$0.assigned.isEmpty } }

    /// The pending events and stamps, emptied (a body that runs again starts afresh).
    func take() -> (events: [Event], stamps: [(event: Int, table: StampedTable, id: Int64)]) {
        state.withLockedValue { state in
            defer { state.pending = []; state.stamps = [] }
            return (state.pending, state.stamps)
        }
    }

    func assign(_ seqs: [Int64]) { state.withLockedValue { $0.assigned = seqs } }
}
