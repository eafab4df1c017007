import Foundation
import StarconCore
import Testing

@Suite("RFC 2047 encoded words")
struct EncodedWordsTests {
    @Test(arguments: [
        ("=?utf-8?B?7JWI64WV7ZWY7IS47JqU?=", "안녕하세요"),
        ("=?UTF-8?Q?Caf=C3=A9_au_lait?=", "Café au lait"),
        ("=?iso-8859-1?q?caf=E9?=", "café"),
        ("Re: =?utf-8?B?0J/RgNC40LLQtdGC?= world", "Re: Привет world"),
        ("=?utf-8?B?5pel5pys?= =?utf-8?B?6Kqe?=", "日本語"),
        ("plain text", "plain text"),
        ("=?unknown-charset?B?YWJj?=", "=?unknown-charset?B?YWJj?="),
        ("=?utf-8?B?broken", "=?utf-8?B?broken"),
        ("=?utf-8?X?abc?=", "=?utf-8?X?abc?="),
    ])
    func decodes(encoded: String, expected: String) {
        #expect(EncodedWords.decode(encoded) == expected)
    }

    @Test(arguments: ["hello", "안녕하세요 여러분, 오늘은 뉴스그룹에 관한 아주 긴 제목을 써 보겠습니다 정말 길어요", "Привет", "混合 mixed テキスト"])
    func roundTrips(text: String) {
        let encoded = EncodedWords.encode(text)
        #expect(EncodedWords.decode(encoded) == text)
        #expect(encoded.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(encoded.split(separator: " ").allSatisfy { $0.count <= 75 })
    }
}

@Suite("Dates")
struct RFC5322DateTests {
    @Test func formatsMatchFoundationAcrossEras() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, d MMM yyyy HH:mm:ss '+0000'"
        for milliseconds: Int64 in [0, 86_399_999, 951_782_400_000, 1_764_633_600_123, 4_102_444_800_000, -1_000, 1_709_164_800_000] {
            let expected = formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
            #expect(RFC5322Date.format(milliseconds) == expected, "\(milliseconds)")
        }
    }
}
