import StarconCore

/// The part of a status's Mastodon JSON that is the same for every viewer (text rendered to HTML, author,
/// media, counts), kept per status while the status is unchanged. A timeline page shows mostly statuses
/// that were shown before; rendering their HTML and writing their JSON again was most of its cost.
///
/// An entry is used only when the `Status` read now equals the one it was made from, so an edit, a new
/// count, a changed author or photo description makes a fresh one: nothing needs to invalidate it, and
/// servers sharing one PostgreSQL cannot serve each other stale JSON.
final class StatusJSONCache: Sendable {
    private let entries: BoundedCache<Int64, Entry>
    private struct Entry: Sendable {
        let status: Status
        let members: [UInt8]
    }

    /// About 4 KB an entry (the status and its JSON): 10,000 is some 40 MB, far more statuses than the
    /// pages being read at any one time show.
    init(capacity: Int = 10_000) {
        entries = BoundedCache(capacity: capacity)
    }

    /// The shared members of `status`'s object (`"id":…,"uri":…`, no braces), made by `make` when missing or stale.
    func members(of status: Status, make: (Status) -> [UInt8]) -> [UInt8] {
        if let entry = entries[status.id], entry.status == status { return entry.members }
        let members = make(status)
        entries.set(Entry(status: status, members: members), for: status.id)
        return members
    }
}
