@testable import StarconWeb
import Testing

/// The QR code's shape; that phones can read it is checked end to end with zbarimg (test_account_security.py).
@Suite("QR code")
struct QRCodeTests {
    @Test func theSmallestVersionThatHoldsTheTextIsChosen() {
        #expect(QRCode("hello")?.size == 21)
        #expect(QRCode(String(repeating: "a", count: 14))?.size == 21, "14 bytes fit version 1 at level M")
        #expect(QRCode(String(repeating: "a", count: 15))?.size == 25)
        #expect(QRCode(String(repeating: "a", count: 129))?.size == 49, "an otpauth link: version 8")
        #expect(QRCode(String(repeating: "a", count: 213))?.size == 57)
        #expect(QRCode(String(repeating: "a", count: 214)) == nil, "past version 10: no picture, the text link stays")
    }

    @Test func findersAndTimingAreInPlace() throws {
        let code = try #require(QRCode("otpauth://totp/Starcon:kim?secret=GEZDGNBVGY3TQOJQ"))
        let n = code.size
        func dark(_ x: Int, _ y: Int) -> Bool { code.modules[y * n + x] }
        for (x, y) in [(0, 0), (n - 7, 0), (0, n - 7)] {
            #expect((0..<7).allSatisfy { dark(x + $0, y) && dark(x, y + $0) && dark(x + 6, y + $0) })
            #expect(dark(x + 3, y + 3) && !dark(x + 1, y + 1))
        }
        #expect((8..<(n - 8)).allSatisfy { dark($0, 6) == ($0 % 2 == 0) && dark(6, $0) == ($0 % 2 == 0) })
        #expect(dark(8, n - 8), "the dark module")
        #expect(code.svg.hasPrefix("<svg") && code.svg.contains("viewBox=\"0 0 \(n + 8) \(n + 8)\""))
    }
}
