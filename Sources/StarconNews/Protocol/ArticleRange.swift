/// An article number range argument (RFC 3977 §6.1.2.2): `n`, `n-` (to the end) or `n-m`.
public struct ArticleRange: Sendable, Equatable {
    public let low: Int64
    /// nil means "to the highest number".
    public let high: Int64?

    public init(low: Int64, high: Int64?) {
        self.low = low
        self.high = high
    }

    ///     range = article-number ["-" [article-number]]
    public init?(_ text: Substring) {
        if let dash = text.firstIndex(of: "-") {
            guard let low = ArticleRange.number(text[..<dash]) else { return nil }
            let rest = text[text.index(after: dash)...]
            if rest.isEmpty {
                self.init(low: low, high: nil)
            } else {
                guard let high = ArticleRange.number(rest) else { return nil }
                self.init(low: low, high: high)
            }
        } else {
            guard let single = ArticleRange.number(text) else { return nil }
            self.init(low: single, high: single)
        }
    }

    /// article-number = 1*16DIGIT
    static func number(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.count <= 16, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) else { return nil }
        return Int64(text)
    }
}

/// What ARTICLE, HEAD, BODY and STAT (and OVER, HDR) select.
public enum ArticleSelector: Sendable, Equatable {
    case current
    case number(Int64)
    case messageID(String)
}

extension ArticleSelector {
    /// message-id = "<" 1*248A-NOTGT ">"  (RFC 3977 §3.6: printable US-ASCII, no ">" inside, at most 250 octets)
    static func messageID(_ text: Substring) -> String? {
        guard text.count >= 3, text.count <= 250, text.first == "<", text.last == ">" else { return nil }
        let inner = text.dropFirst().dropLast()
        guard inner.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E && $0 != ">" }) else { return nil }
        return String(text)
    }
}
