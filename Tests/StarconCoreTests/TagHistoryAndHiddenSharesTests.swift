@testable import StarconCore
import Testing

@Suite("Tag history and hidden shares")
struct TagHistoryAndHiddenSharesTests {
    @Test func tagHistoryCountsUsesAndMembersPerUTCDayTodayFirst() {
        let day = NetworkStats.day
        let now = 20_000 * day + 3_600_000  // 01:00 UTC
        let uses: [(tag: String, account: Int64, created: Int64)] = [
            ("seoul", 1, now - 60_000), ("seoul", 1, now - 120_000), ("seoul", 2, 20_000 * day),
            ("seoul", 3, 20_000 * day - 1),  // 23:59:59.999 yesterday
            ("seoul", 4, (20_000 - 7) * day),  // eight days ago counting today: out
        ]
        let history = NetworkStats.days(uses, now: now)["seoul"]!
        #expect(history.count == 7)
        #expect(history[0] == TagDay(day: 20_000 * day, uses: 3, accounts: 2))
        #expect(history[1] == TagDay(day: 19_999 * day, uses: 1, accounts: 1))
        #expect(history.dropFirst(2).allSatisfy { $0.uses == 0 && $0.accounts == 0 })
        #expect(history.map(\.day) == (0..<7).map { (20_000 - Int64($0)) * day })
        #expect(NetworkStats.emptyHistory(now: now).map(\.day) == history.map(\.day))
    }

    @Test func aMemberWhoseFiltersHideMuchGetsALargerFirstRead() {
        let shares = HiddenShares()
        #expect(shares.rowsToRead(limit: 20, viewer: 1) == 49, "a first guess of half: 22 / 0.5, with a tenth to spare")
        shares.record(hidden: 0, of: 22, viewer: 2)
        #expect(shares.rowsToRead(limit: 20, viewer: 2) == 25, "hiding nothing: about the usual 22")
        shares.record(hidden: 59, of: 100, viewer: 3)
        #expect(shares.rowsToRead(limit: 20, viewer: 3) == 60)
        shares.record(hidden: 100, of: 100, viewer: 4)
        #expect(shares.rowsToRead(limit: 20, viewer: 4) == 100, "capped")
        shares.record(hidden: 5, of: 0, viewer: 5)
        #expect(shares.rowsToRead(limit: 20, viewer: 5) == 49, "an empty read teaches nothing")
    }
}
