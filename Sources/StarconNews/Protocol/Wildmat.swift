/// RFC 3977 §4 wildmat: comma-separated patterns with `*`, `?`, `[...]`, and `!` for negation; the last
/// pattern that matches decides.
///
///     wildmat = wildmat-pattern *("," ["!"] wildmat-pattern)
public struct Wildmat: Sendable, Equatable {
    struct Pattern: Sendable, Equatable {
        let negated: Bool
        let characters: [Character]
    }
    let patterns: [Pattern]

    public init?(_ text: String) {
        var patterns: [Pattern] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            var characters = Array(part)
            let negated = characters.first == "!"
            if negated { characters.removeFirst() }
            guard !characters.isEmpty else { return nil }
            patterns.append(Pattern(negated: negated, characters: characters))
        }
        guard !patterns.isEmpty else { return nil }
        self.patterns = patterns
    }

    public static let all = Wildmat("*")!

    public func matches(_ name: String) -> Bool {
        let subject = Array(name)
        var result = false
        for pattern in patterns where Self.match(pattern.characters[...], subject[...]) {
            result = !pattern.negated
        }
        return result
    }

    private static func match(_ pattern: ArraySlice<Character>, _ subject: ArraySlice<Character>) -> Bool {
        var p = pattern.startIndex, s = subject.startIndex
        var starP: Int?, starS = 0
        while s < subject.endIndex {
            if p < pattern.endIndex {
                switch pattern[p] {
                case "*":
                    starP = p
                    starS = s
                    p += 1
                    continue
                case "?":
                    p += 1
                    s += 1
                    continue
                case "[":
                    if let (matched, next) = matchClass(pattern, from: p, character: subject[s]) {
                        if matched {
                            p = next
                            s += 1
                            continue
                        }
                    } else if subject[s] == "[" {
                        p += 1
                        s += 1
                        continue
                    }
                default:
                    if pattern[p] == subject[s] {
                        p += 1
                        s += 1
                        continue
                    }
                }
            }
            guard let star = starP else { return false }
            p = star + 1
            starS += 1
            s = starS
        }
        while p < pattern.endIndex && pattern[p] == "*" { p += 1 }
        return p == pattern.endIndex
    }

    /// Matches a `[...]` class starting at `start`; nil when the bracket is not closed (taken literally).
    private static func matchClass(_ pattern: ArraySlice<Character>, from start: Int, character: Character) -> (Bool, Int)? {
        var index = start + 1
        var negate = false
        if index < pattern.endIndex && pattern[index] == "^" {
            negate = true
            index += 1
        }
        var matched = false
        var first = true
        while index < pattern.endIndex {
            let c = pattern[index]
            if c == "]" && !first { return (matched != negate, index + 1) }
            first = false
            if index + 2 < pattern.endIndex && pattern[index + 1] == "-" && pattern[index + 2] != "]" {
                if c <= character && character <= pattern[index + 2] { matched = true }
                index += 3
            } else {
                if c == character { matched = true }
                index += 1
            }
        }
        return nil
    }
}
