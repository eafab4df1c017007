import NIOConcurrencyHelpers

/// How much of each member's last timeline read their hide filters left out, kept in this process only, so
/// the next page's first read asks for enough rows to fill it and a second read is rare. A guess, never a
/// rule: losing it (a restart, another node) costs at most that second read.
final class HiddenShares: Sendable {
    /// Members remembered at most; past that the memory starts again, as cheap as forgetting.
    static let capacity = 20_000
    /// What a member with hide filters is first assumed to lose.
    static let firstGuess = 0.5
    /// The share is capped, so a page that hid nearly everything does not make the next read huge.
    static let largest = 0.8
    static let extraRows = 80

    private let shares = NIOLockedValueBox([Int64: Double]())

    /// Rows to read for a page of `limit` (plus the two spare rows every first read takes).
    func rowsToRead(limit: Int, viewer: Int64) -> Int {
        let share = min(shares.withLockedValue { $0[viewer] } ?? Self.firstGuess, Self.largest)
        let wanted = (Double(limit + 2) / (1 - share) * 1.1).rounded(.up)
        return min(Int(wanted), limit + Self.extraRows)
    }

    func record(hidden: Int, of read: Int, viewer: Int64) {
        guard read > 0 else { return }
        shares.withLockedValue { shares in
            if shares.count >= Self.capacity { shares.removeAll(keepingCapacity: true) }
            shares[viewer] = Double(hidden) / Double(read)
        }
    }
}
