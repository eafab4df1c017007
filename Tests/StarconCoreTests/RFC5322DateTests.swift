import Foundation
import StarconCore
import Testing

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
