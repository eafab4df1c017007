import StarconIMAP
import Testing

@Suite("LIST patterns")
struct MailboxPatternTests {
    static let cases: [(String, String, String, Bool)] = [
        ("", "*", "Work/2026/Q4", true),
        ("", "%", "Work", true),
        ("", "%", "Work/2026", false),
        ("", "Work/%", "Work/2026", true),
        ("", "Work/%", "Work/2026/Q4", false),
        ("Work", "%", "Work/2026", true),
        ("Work/", "*", "Work/2026/Q4", true),
        ("", "inbox", "INBOX", true),
        ("", "In%", "INBOX", true),
        ("", "보관*", "보관/2026", true),
        ("", "Sent", "Sent Items", false),
        ("", "", "INBOX", false),
        ("", String(repeating: "*%", count: 200) + "z", String(repeating: "a", count: 200), false),
    ]

    @Test(arguments: cases)
    func matches(reference: String, pattern: String, name: String, expected: Bool) {
        #expect(MailboxPattern(reference: reference, pattern: pattern).matches(name) == expected)
    }
}
