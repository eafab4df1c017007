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

    @Test func expungeReportsNumbersHighestFirst() {
        var index = MessageIndex(uids: [3, 7, 8, 20])
        #expect(index.expunge([7, 20, 99]) == [4, 2])
        #expect(index.uids == [3, 8])
        #expect(index.append([21, 2]) == 3)
        #expect(index.uids == [3, 8, 21])
    }
}
