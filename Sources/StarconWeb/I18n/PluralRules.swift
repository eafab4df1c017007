/// CLDR plural categories for whole numbers, for the languages we ship.
public enum PluralCategory: String, Sendable {
    case zero, one, two, few, many, other
}

public enum PluralRules {
    public static func category(for count: Int, in language: Language) -> PluralCategory {
        let n = abs(count)
        switch language {
        case .en:
            return n == 1 ? .one : .other
        case .ru:
            // one: 1, 21, 31…; few: 2–4, 22–24…; many: 0, 5–20, 25–30…
            let mod10 = n % 10, mod100 = n % 100
            if mod10 == 1 && mod100 != 11 { return .one }
            if (2...4).contains(mod10) && !(12...14).contains(mod100) { return .few }
            return .many
        case .ko, .zh, .ja:
            return .other
        }
    }

    /// The categories a catalogue must define for `language`.
    public static func requiredCategories(for language: Language) -> Set<PluralCategory> {
        switch language {
        case .en: [.one, .other]
        case .ru: [.one, .few, .many, .other]
        case .ko, .zh, .ja: [.other]
        }
    }
}
