import NIOConcurrencyHelpers
import StarconCore

/// The part of a status's Mastodon JSON that is the same for every viewer (text rendered to HTML, author,
/// media, counts), kept per status while the status is unchanged. A timeline page shows mostly statuses
/// that were shown before; rendering their HTML and writing their JSON again was most of its cost.
///
/// An entry is used only when the `Status` read now equals the one it was made from, so an edit, a new
/// count, a changed author or photo description makes a fresh one: nothing needs to invalidate it, and
/// servers sharing one PostgreSQL cannot serve each other stale JSON.
final class StatusJSONCache: Sendable {
    private struct State {
        var entries: [Int64: (status: Status, members: [UInt8])] = [:]
        var order: [Int64] = []
        var next = 0
    }
    private let state = NIOLockedValueBox(State())
    let capacity: Int

    /// About 4 KB an entry (the status and its JSON): 10,000 is some 40 MB, far more statuses than the
    /// pages being read at any one time show.
    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The shared members of `status`'s object (`"id":…,"uri":…`, no braces), made by `make` when missing or stale.
    func members(of status: Status, make: (Status) -> [UInt8]) -> [UInt8] {
        if let entry = state.withLockedValue({ $0.entries[status.id] }), entry.status == status { return entry.members }
        let members = make(status)
        state.withLockedValue { state in
            if state.entries.updateValue((status, members), forKey: status.id) != nil { return }
            if state.order.count < capacity {
                state.order.append(status.id)
            } else {
                state.entries[state.order[state.next]] = nil
                state.order[state.next] = status.id
                state.next = (state.next + 1) % capacity
            }
        }
        return members
    }
}
