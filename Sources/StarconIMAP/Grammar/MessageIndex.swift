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
        let low = position(of: uid)
        return low < uids.count && uids[low] == uid ? low + 1 : nil
    }

    /// The index of the first UID at or above `uid` (`count` when there is none).
    private func position(of uid: UInt32) -> Int {
        var (low, high) = (0, uids.count)
        while low < high {
            let middle = (low + high) / 2
            if uids[middle] < uid { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The UIDs a set names: by sequence number (`*` is the last message) or by UID (`*` is the largest UID,
    /// and a range past the end still names it, RFC 3501 §6.4.8). Ascending, no repeats.
    ///
    /// Each range becomes a span of positions (found by binary search, so a `UID FETCH` of a thousand single
    /// UIDs costs a thousand searches, not a thousand passes over the mailbox); the spans are merged in order.
    public func resolve(_ set: SequenceSet, byUID: Bool) -> [UInt32] {
        guard !uids.isEmpty else { return [] }
        var spans: [Range<Int>] = []
        for range in set.ranges {
            if byUID {
                let bounds = range.resolved(largest: largestUID)
                let low = position(of: bounds.lowerBound)
                let high = bounds.upperBound == .max ? uids.count : position(of: bounds.upperBound + 1)
                if low < high { spans.append(low..<high) }
            } else {
                let bounds = range.resolved(largest: UInt32(uids.count))
                let low = Int(bounds.lowerBound), high = min(Int(bounds.upperBound), uids.count)
                if low >= 1, low <= high { spans.append((low - 1)..<high) }
            }
        }
        spans.sort { $0.lowerBound < $1.lowerBound }
        var result: [UInt32] = []
        var next = 0
        for span in spans where span.upperBound > next {
            let start = max(span.lowerBound, next)
            result.append(contentsOf: uids[start..<span.upperBound])
            next = span.upperBound
        }
        return result
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
