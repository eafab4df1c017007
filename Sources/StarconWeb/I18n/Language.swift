/// The five UI languages.
public enum Language: String, Sendable, CaseIterable {
    case en, ko, ru, zh, ja

    public static let fallback = Language.en

    /// The locale used for dates and numbers.
    public var localeIdentifier: String {
        switch self {
        case .en: "en_GB"
        case .ko: "ko_KR"
        case .ru: "ru_RU"
        case .zh: "zh_Hans_CN"
        case .ja: "ja_JP"
        }
    }

    /// The best language for an `Accept-Language` header (RFC 9110 §12.5.4), honouring q-values;
    /// nil when the header names none of ours.
    public static func negotiate(_ header: String?) -> Language? {
        guard let header, !header.isEmpty else { return nil }
        var best: (Language, Double, Int)?
        for (position, part) in header.split(separator: ",").enumerated() {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { continue }
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            guard quality > 0, let language = Language(rawValue: primary) else { continue }
            if best == nil || quality > best!.1 || (quality == best!.1 && position < best!.2) {
                best = (language, quality, position)
            }
        }
        return best?.0
    }
}

import Foundation
