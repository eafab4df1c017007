import StarconIMAP
import Testing

@Suite("Message sequence numbers and UIDs")
struct MessageIndexTests {
    static func set(_ ranges: [(SequenceNumber, SequenceNumber)]) -> SequenceSet { SequenceSet(ranges.map { SequenceRange($0.0, $0.1) }) }

    @Test func resolvesSets() {
        let index = MessageIndex(uids: [3, 7, 8, 20])
        #expect(index.resolve(Self.set([(.number(2), .number(3))]), byUID: false) == [7, 8])
        #expect(index.resolve(Self.set([(.last, .last)]), byUID: false) == [20])
        #expect(index.resolve(Self.set([(.number(1), .last)]), byUID: false) == [3, 7, 8, 20])
        #expect(index.resolve(Self.set([(.number(9), .number(9))]), byUID: false) == [])
        #expect(index.resolve(Self.set([(.number(5), .number(10)), (.number(8), .number(8))]), byUID: true) == [7, 8])
        // "UID 30:*" names the last message even though 30 is past it.
        #expect(index.resolve(Self.set([(.number(30), .last)]), byUID: true) == [20])
        #expect(index.sequence(of: 8) == 3 && index.sequence(of: 9) == nil)
    }

    /// Overlapping, unordered and single-UID ranges give what a pass over every UID would.
    @Test func resolvesLikeAPassOverEveryMessage() {
        var generator = SystemRandomNumberGenerator()
        let uids = (1...400).filter { _ in Bool.random(using: &generator) }.map { UInt32($0) }
        let index = MessageIndex(uids: uids)
        for _ in 0..<200 {
            let ranges = (0..<Int.random(in: 1...30, using: &generator)).map { _ -> (SequenceNumber, SequenceNumber) in
                let a = SequenceNumber.number(UInt32.random(in: 1...420, using: &generator))
                let b = Int.random(in: 0..<10, using: &generator) == 0 ? SequenceNumber.last : .number(UInt32.random(in: 1...420, using: &generator))
                return (a, b)
            }
            let set = Self.set(ranges)
            let byUID = uids.filter { uid in set.ranges.contains { $0.resolved(largest: index.largestUID).contains(uid) } }
            #expect(index.resolve(set, byUID: true) == byUID)
            let numbers = (1...uids.count).filter { n in set.ranges.contains { $0.resolved(largest: UInt32(uids.count)).contains(UInt32(n)) } }
            #expect(index.resolve(set, byUID: false) == numbers.map { uids[$0 - 1] })
        }
    }

    @Test func expungeReportsNumbersHighestFirst() {
        var index = MessageIndex(uids: [3, 7, 8, 20])
        #expect(index.expunge([7, 20, 99]) == [4, 2])
        #expect(index.uids == [3, 8])
        #expect(index.append([21, 2]) == 3)
        #expect(index.uids == [3, 8, 21])
    }
}
