@testable import StarconCore
import Testing

@Suite("Filter keyword matching")
struct FilterTextTests {
    func found(_ keyword: String, in text: String, wholeWord: Bool = false) -> Bool {
        let filter = Filter(id: 1, title: "t", contexts: [.home], action: .warn, expiresAt: nil,
                            keywords: [.init(id: 1, keyword: keyword, wholeWord: wholeWord)], statuses: [])
        return !filter.matches(text: FilterText(text), statusID: 9).keywords.isEmpty
    }

    @Test(arguments: [
        ("snow", "Fresh SNOW today", false, true),
        ("snow", "snowfall", false, true),
        ("snow", "snowfall", true, false),
        ("snow", "more snow.", true, true),
        ("snow", "snow", true, true),
        ("snow", "_snow", true, false),
        ("погода", "Погода сегодня", true, true),
        ("погода", "непогода", true, false),
        ("天气", "今天天气很好", false, true),
        ("평양냉면", "오늘 점심은 평양냉면이었습니다", false, true),
        ("평양냉면", "오늘 점심은 평양냉면이었습니다", true, false),
        ("café", "Le CAFÉ est fermé", true, true),
        ("rain", "", false, false),
        ("", "anything", false, false),
        ("longer than the text", "short", false, false),
    ])
    func keyword(_ keyword: String, _ text: String, _ wholeWord: Bool, _ expected: Bool) {
        #expect(found(keyword, in: text, wholeWord: wholeWord) == expected)
    }

    @Test func aSecondOccurrenceIsTriedWhenTheFirstIsInsideAWord() {
        #expect(found("sea", in: "seaside sea", wholeWord: true))
        #expect(!found("sea", in: "seaside seas", wholeWord: true))
    }

    @Test func aStatusListedInTheFilterMatchesWithoutKeywords() {
        let filter = Filter(id: 1, title: "t", contexts: [.home], action: .hide, expiresAt: nil, keywords: [], statuses: [.init(id: 2, statusID: 9)])
        #expect(filter.matches(text: FilterText("x"), statusID: 9).status)
        #expect(!filter.matches(text: FilterText("x"), statusID: 8).status)
    }
}
