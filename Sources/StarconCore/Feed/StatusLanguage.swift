/// The language a status is in: the one the client names, else guessed from the letters it is written in,
/// else the author's own language. Clients filter and translate by it, so a wrong guess is worse than none:
/// only scripts that name one of the network's languages decide.
public enum StatusLanguage {
    /// `requested`: what the client sent (ISO 639-1, `ko`, `en-GB` is taken as `en`). Nil: unknown.
    public static func decide(requested: String?, text: String, member: String?) -> String? {
        if let requested = normalized(requested) { return requested }
        return detect(text) ?? member
    }

    /// A two- or three-letter lowercase code, or nil for anything else.
    static func normalized(_ code: String?) -> String? {
        guard let code, let primary = code.split(whereSeparator: { $0 == "-" || $0 == "_" }).first else { return nil }
        let lower = primary.lowercased()
        guard (2...3).contains(lower.count), lower.allSatisfy({ $0.isASCII && $0.isLetter }) else { return nil }
        return lower
    }

    /// The language the letters of `text` point to: Hangul is Korean, kana Japanese (which also uses Han),
    /// Han alone Chinese, Cyrillic Russian, Latin English; mentions, tags and links are not counted.
    static func detect(_ text: String) -> String? {
        var hangul = 0, kana = 0, han = 0, cyrillic = 0, latin = 0
        for piece in StatusText.pieces(text) {
            guard case .text(let words) = piece else { continue }
            for scalar in words.unicodeScalars {
                switch scalar.value {
                case 0xAC00...0xD7A3, 0x1100...0x11FF, 0x3130...0x318F: hangul += 1
                case 0x3040...0x30FF: kana += 1
                case 0x4E00...0x9FFF, 0x3400...0x4DBF: han += 1
                case 0x0400...0x04FF: cyrillic += 1
                case 0x41...0x5A, 0x61...0x7A: latin += 1
                default: break
                }
            }
        }
        if hangul > 0 && hangul >= kana + han { return "ko" }
        if kana > 0 { return "ja" }
        if han > 0 { return "zh" }
        if cyrillic > 0 && cyrillic >= latin { return "ru" }
        if latin > 0 { return "en" }
        return nil
    }
}
