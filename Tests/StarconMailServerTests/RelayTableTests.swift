@testable import StarconMailServer
import Testing

@Suite("Relays and MX")
struct RelayTableTests {
    @Test func relaysParseAndTheStarCoversTheRest() throws {
        let table = try RelayTable(parsing: ["b.test=127.0.0.1:2526", "*=[::1]:25"])
        #expect(table.relay(for: "B.Test") == RelayTable.Host(host: "127.0.0.1", port: 2526))
        #expect(table.relay(for: "other.example") == RelayTable.Host(host: "::1", port: 25))
        #expect(try RelayTable(parsing: ["b.test=h:25"]).relay(for: "c.test") == nil, "by DNS")
        for bad in ["b.test", "b.test=host", "b.test=host:0", "b.test=host:99999", "=host:25", "b.test=:25"] {
            #expect(throws: RelayTableError.self) { try RelayTable(parsing: [bad]) }
        }
    }

    @Test func mxAnswersSortByPreferenceAndTheNullMXMeansNone() {
        #expect(MXResolver.parse("20 mx2.b.test\n10 mx1.b.test\n") == [.init(preference: 10, host: "mx1.b.test"), .init(preference: 20, host: "mx2.b.test")])
        #expect(MXResolver.parse("0 .\n").isEmpty)
        #expect(MXResolver.parse("garbage\n").isEmpty)
    }

    @Test func aFailedLookupIsEmptyNotACrash() async {
        #expect(await MXResolver.lookup("no-such-domain.invalid").isEmpty)
    }
}
