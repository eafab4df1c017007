import StarconCore
@testable import StarconWeb
import Testing

@Suite("Newer and older links")
struct PagingTests {
    func links(_ page: PageRequest, count: Int) -> (older: String?, newer: String?) {
        let values = Paging.links(path: "/network", page: page, count: count, newest: count > 0 ? 90 : nil, oldest: count > 0 ? 71 : nil)
        let older = values["older"] as? String, newer = values["newer"] as? String
        return (older?.isEmpty == false ? older : nil, newer?.isEmpty == false ? newer : nil)
    }

    @Test func theFirstPageOnlyGoesOlderAndOnlyWhenFull() {
        #expect(links(PageRequest(limit: 20), count: 20) == ("/network?max_id=71", nil))
        #expect(links(PageRequest(limit: 20), count: 5) == (nil, nil))
    }

    @Test func anOlderPageGoesBothWays() {
        #expect(links(PageRequest(maxID: 100, limit: 20), count: 20) == ("/network?max_id=71", "/network?min_id=90"))
        #expect(links(PageRequest(maxID: 100, limit: 20), count: 3) == (nil, "/network?min_id=90"))
        #expect(links(PageRequest(maxID: 100, limit: 20), count: 0) == (nil, "/network"), "an empty page leads back to the start")
    }

    @Test func aNewerPageThatIsNotFullIsTheNewest() {
        #expect(links(PageRequest(minID: 50, limit: 20), count: 20) == ("/network?max_id=71", "/network?min_id=90"))
        #expect(links(PageRequest(minID: 50, limit: 20), count: 4) == ("/network?max_id=71", nil))
    }
}
