/// LIST and LSUB's reference and pattern (RFC 3501 §6.3.8): `*` matches anything, `%` anything but the
/// hierarchy delimiter; the reference is prefixed to the pattern. INBOX matches case-insensitively.
public struct MailboxPattern: Sendable {
    let pattern: [Character]
    let delimiter: Character

    public init(reference: String, pattern: String, delimiter: Character = "/") {
        var joined = reference
        if !reference.isEmpty, !pattern.isEmpty, reference.last != delimiter, pattern.first != delimiter { joined.append(delimiter) }
        joined += pattern
        self.pattern = Array(joined)
        self.delimiter = delimiter
    }

    public func matches(_ name: String) -> Bool {
        let candidate = Array(name)
        if Self.match(pattern[...], candidate[...], delimiter: delimiter) { return true }
        // "inbox" names INBOX; "INBOX/…" stays case-sensitive below the first level.
        if name == "INBOX" { return Self.match(Array(String(pattern).uppercased())[...], candidate[...], delimiter: delimiter) }
        return false
    }

    /// Glob matching by dynamic programming over (pattern, name) positions: time O(pattern × name) whatever
    /// the wildcards, so a pattern of many `*`s costs a stranger nothing extra.
    static func match(_ pattern: ArraySlice<Character>, _ name: ArraySlice<Character>, delimiter: Character) -> Bool {
        let p = Array(pattern), n = Array(name)
        // reach[j]: the first i pattern characters can match the first j name characters.
        var reach = [Bool](repeating: false, count: n.count + 1)
        reach[0] = true
        for character in p {
            var next = [Bool](repeating: false, count: n.count + 1)
            switch character {
            case "*", "%":
                for j in 0...n.count {
                    next[j] = reach[j] || (j > 0 && next[j - 1] && (character == "*" || n[j - 1] != delimiter))
                }
            default:
                for j in stride(from: 1, through: n.count, by: 1) where reach[j - 1] && n[j - 1] == character { next[j] = true }
            }
            reach = next
        }
        return reach[n.count]
    }
}
