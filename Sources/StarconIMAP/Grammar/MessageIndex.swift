/// The selected mailbox as one session sees it: UIDs in ascending order, message sequence number n being
/// the n-th (RFC 3501 §2.3.1.2). The session changes it only when it tells the client (EXISTS, EXPUNGE), so
/// sequence numbers never shift under a command the client is still sending.
public struct MessageIndex: Sendable, Equatable {
    public private(set) var uids: [UInt32]

    public init(uids: [UInt32] = []) { self.uids = uids.sorted() }

    public var count: Int { uids.count }
    public var largestUID: UInt32 { uids.last ?? 0 }

    /// The sequence number of `uid`, if it is in the mailbox.
    public func sequence(of uid: UInt32) -> Int? {
        var (low, high) = (0, uids.count)
        while low < high {
            let middle = (low + high) / 2
            if uids[middle] < uid { low = middle + 1 } else { high = middle }
        }
        return low < uids.count && uids[low] == uid ? low + 1 : nil
    }

    /// The UIDs a set names: by sequence number (`*` is the last message) or by UID (`*` is the largest UID,
    /// and a range past the end still names it, RFC 3501 §6.4.8). Ascending, no repeats.
    public func resolve(_ set: SequenceSet, byUID: Bool) -> [UInt32] {
        guard !uids.isEmpty else { return [] }
        var picked = Set<UInt32>()
        for range in set.ranges {
            if byUID {
                let bounds = range.resolved(largest: largestUID)
                let start = uids.firstIndex { $0 >= bounds.lowerBound } ?? uids.count
                for uid in uids[start...] where uid <= bounds.upperBound { picked.insert(uid) }
            } else {
                let bounds = range.resolved(largest: UInt32(uids.count))
                let low = Int(bounds.lowerBound), high = min(Int(bounds.upperBound), uids.count)
                guard low <= high else { continue }
                for n in low...high { picked.insert(uids[n - 1]) }
            }
        }
        return picked.sorted()
    }

    /// Adds new messages (their UIDs are above every one already here); returns the new count for EXISTS.
    public mutating func append(_ new: [UInt32]) -> Int {
        for uid in new.sorted() where uid > largestUID { uids.append(uid) }
        return uids.count
    }

    /// Removes expunged messages; returns the sequence numbers to report, each as it is at its EXPUNGE
    /// response (highest first, so no number shifts before it is sent).
    public mutating func expunge(_ gone: [UInt32]) -> [Int] {
        var numbers: [Int] = []
        for uid in Set(gone).sorted(by: >) {
            guard let n = sequence(of: uid) else { continue }
            uids.remove(at: n - 1)
            numbers.append(n)
        }
        return numbers
    }
}
