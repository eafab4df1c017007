/// A message sequence number or UID in a set: a number, or `*` (the largest in use).
///
///     seq-number = nz-number / "*"
public enum SequenceNumber: Hashable, Sendable {
    case number(UInt32)
    case last

    /// Its value in a mailbox whose largest sequence number or UID is `largest`.
    public func value(largest: UInt32) -> UInt32 {
        switch self {
        case .number(let n): n
        case .last: largest
        }
    }
}

/// A closed range of sequence numbers or UIDs; `4:2` and `2:4` are the same range.
///
///     seq-range = seq-number ":" seq-number
public struct SequenceRange: Hashable, Sendable {
    public var first: SequenceNumber
    public var last: SequenceNumber

    public init(_ first: SequenceNumber, _ last: SequenceNumber) {
        self.first = first
        self.last = last
    }

    public init(_ single: SequenceNumber) { self.init(single, single) }

    /// The range as numbers in a mailbox whose largest number is `largest` (lowest first).
    public func resolved(largest: UInt32) -> ClosedRange<UInt32> {
        let (a, b) = (first.value(largest: largest), last.value(largest: largest))
        return min(a, b)...max(a, b)
    }
}

/// A set of message numbers or UIDs, as the client wrote it.
///
///     sequence-set = (seq-number / seq-range) ["," sequence-set]
public struct SequenceSet: Hashable, Sendable {
    public var ranges: [SequenceRange]

    public init(_ ranges: [SequenceRange]) { self.ranges = ranges }

    /// Whether `value` is in the set, `largest` standing for `*`.
    public func contains(_ value: UInt32, largest: UInt32) -> Bool {
        ranges.contains { $0.resolved(largest: largest).contains(value) }
    }

    /// The set written back: `1:4,7,9:*`.
    public var description: String {
        ranges.map { range in
            func text(_ n: SequenceNumber) -> String { if case .number(let v) = n { String(v) } else { "*" } }
            return range.first == range.last ? text(range.first) : "\(text(range.first)):\(text(range.last))"
        }.joined(separator: ",")
    }

    /// The shortest set naming exactly `values` (for COPYUID and the like): runs become ranges.
    public static func compact(_ values: [UInt32]) -> SequenceSet {
        var ranges: [SequenceRange] = []
        for value in values {
            if let previous = ranges.last, case .number(let end) = previous.last, end &+ 1 == value {
                ranges[ranges.count - 1].last = .number(value)
            } else {
                ranges.append(SequenceRange(.number(value)))
            }
        }
        return SequenceSet(ranges)
    }
}
