import Foundation
@testable import StarconWeb
import Testing

@Suite("Conversation list dates")
struct ListDateTests {
    // Wednesday 2026-12-09 15:00 in Seoul.
    static let now: Int64 = 1_796_796_000_000
    static let seoul = TimeZone(identifier: "Asia/Seoul")!

    func formatter(_ language: Language) -> Formatters {
        Formatters(language: language).viewer(timeZone: Self.seoul, catalogue: CatalogueTests.catalogues[language], now: Self.now)
    }

    @Test func todayIsATimeThisWeekAWeekdayElseADate() {
        let en = formatter(.en)
        #expect(en.listDate(Self.now - 3_600_000) == en.time(Self.now - 3_600_000))
        #expect(en.listDate(Self.now - 2 * 86_400_000) == "Monday")
        let older = Self.now - 20 * 86_400_000
        #expect(en.listDate(older).contains("Nov") && !en.listDate(older).contains("2026"))
        let lastYear = Self.now - 400 * 86_400_000
        #expect(en.listDate(lastYear).contains("2025"))
    }

    @Test func inTheMembersLanguage() {
        #expect(formatter(.ko).listDate(Self.now - 2 * 86_400_000) == "월요일")
        #expect(formatter(.ru).listDate(Self.now - 2 * 86_400_000) == "понедельник")
        #expect(formatter(.ja).listDate(Self.now - 2 * 86_400_000) == "月曜日")
    }
}
