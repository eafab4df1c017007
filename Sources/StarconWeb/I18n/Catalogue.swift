import Foundation

/// One language's UI strings, loaded from `Locales/<code>.json`: plain strings, or plural objects keyed by
/// CLDR category. Placeholders are `{name}`.
public struct Catalogue: Sendable {
    public enum Entry: Sendable, Equatable {
        case text(String)
        case plural([PluralCategory: String])
    }

    public let language: Language
    public let entries: [String: Entry]
    /// The plain strings, handed to templates as `t`.
    public let texts: [String: String]

    public init(language: Language, json: Data) throws {
        guard let object = try JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw CatalogueError("\(language.rawValue).json is not a JSON object")
        }
        var entries: [String: Entry] = [:]
        var texts: [String: String] = [:]
        for (key, value) in object {
            if let text = value as? String {
                entries[key] = .text(text)
                texts[key] = text
            } else if let forms = value as? [String: String] {
                var plural: [PluralCategory: String] = [:]
                for (name, text) in forms {
                    guard let category = PluralCategory(rawValue: name) else {
                        throw CatalogueError("\(language.rawValue).json: \(key) has unknown plural form \(name)")
                    }
                    plural[category] = text
                }
                entries[key] = .plural(plural)
            } else {
                throw CatalogueError("\(language.rawValue).json: \(key) is neither a string nor plural forms")
            }
        }
        self.language = language
        self.entries = entries
        self.texts = texts
    }

    /// The text for `key` with `{placeholders}` filled; the key itself when missing (a test keeps that from shipping).
    public func text(_ key: String, _ values: [String: String] = [:]) -> String {
        guard case .text(let text)? = entries[key] else { return key }
        return Self.fill(text, values)
    }

    /// The plural form for `count`, with `{count}` and any other placeholders filled, the count in local digits.
    public func plural(_ key: String, count: Int, _ values: [String: String] = [:], formatter: Formatters) -> String {
        guard case .plural(let forms)? = entries[key] else { return key }
        let category = PluralRules.category(for: count, in: language)
        let text = forms[category] ?? forms[.other] ?? key
        var filled = values
        filled["count"] = formatter.number(count)
        return Self.fill(text, filled)
    }

    /// Every plural form of `key` by CLDR category name, for a script that picks one with `Intl.PluralRules`
    /// (the same categories as `PluralRules`), as JSON.
    public func pluralFormsJSON(_ key: String) -> String {
        guard case .plural(let forms)? = entries[key] else { return "{}" }
        let byName = Dictionary(uniqueKeysWithValues: forms.map { ($0.key.rawValue, $0.value) })
        let data = (try? JSONSerialization.data(withJSONObject: byName, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func fill(_ text: String, _ values: [String: String]) -> String {
        guard text.contains("{") else { return text }
        var result = text
        for (name, value) in values {
            result = result.replacingOccurrences(of: "{\(name)}", with: value)
        }
        return result
    }
}

public struct CatalogueError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Every catalogue, loaded once at start-up from the module's resources.
public struct Catalogues: Sendable {
    public let all: [Language: Catalogue]

    public init(directory: URL) throws {
        var all: [Language: Catalogue] = [:]
        for language in Language.allCases {
            let url = directory.appendingPathComponent("\(language.rawValue).json")
            all[language] = try Catalogue(language: language, json: try Data(contentsOf: url))
        }
        self.all = all
    }

    public static func bundled() throws -> Catalogues {
        guard let url = Bundle.module.url(forResource: "Locales", withExtension: nil) else {
            throw CatalogueError("the Locales resource folder is missing from the build")
        }
        return try Catalogues(directory: url)
    }

    public subscript(_ language: Language) -> Catalogue { all[language]! }
}
