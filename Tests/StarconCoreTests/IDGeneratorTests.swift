import StarconCore
import Testing

@Suite("Ids")
struct IDGeneratorTests {
    @Test func idsAreUniqueAndIncreasingWithinOneMillisecond() {
        let (clock, _) = Clock.manual(startingAt: 1_750_000_000_000)
        let ids = IDGenerator(clock: clock, processTag: 7)
        var previous: Int64 = 0
        var seen = Set<Int64>()
        for _ in 0..<50_000 {
            let id = ids.next()
            #expect(id > previous)
            previous = id
            seen.insert(id)
        }
        #expect(seen.count == 50_000)
    }

    @Test func laterTimeMeansLargerId() {
        let (clock, time) = Clock.manual(startingAt: 1_750_000_000_000)
        let a = IDGenerator(clock: clock, processTag: 255).next()
        time.advance(milliseconds: 1)
        let b = IDGenerator(clock: clock, processTag: 0).next()
        #expect(b > a)
        #expect(a > 0 && b < Int64.max)
    }

    @Test func twoProcessesInTheSameMillisecondDoNotCollide() {
        let (clock, _) = Clock.manual(startingAt: 1_750_000_000_000)
        let a = IDGenerator(clock: clock, processTag: 1), b = IDGenerator(clock: clock, processTag: 2)
        let first = Set((0..<1000).map { _ in a.next() })
        let second = Set((0..<1000).map { _ in b.next() })
        #expect(first.isDisjoint(with: second))
    }
}
