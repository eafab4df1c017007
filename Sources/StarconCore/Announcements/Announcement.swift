/// How loud an announcement is: pages style it by this, Mastodon apps see it in the text only.
public enum AnnouncementSeverity: String, Sendable, CaseIterable {
    case info, warning, alert
}

/// An official notice to every member: its text in one or more of the UI's languages, shown until it
/// expires, an admin ends it, or (for one member) that member dismisses it.
public struct Announcement: Sendable, Equatable {
    public let id: Int64
    public let authorID: Int64
    public let severity: AnnouncementSeverity
    public let createdAt: Int64
    public let expiresAt: Int64?
    public let endedAt: Int64?
    /// Text by language code (`en`, `ko`, `ru`, `zh`, `ja`); at least one.
    public let texts: [String: String]

    /// Shown now: not ended and not expired.
    public func isLive(at now: Int64) -> Bool {
        endedAt == nil && (expiresAt.map { $0 > now } ?? true)
    }

    /// The text for a reader of `language`: that language's, else English, else the first of
    /// `AnnouncementRules.languages` it has (so a notice written only in Korean still reaches everyone).
    public func text(for language: String?) -> (language: String, text: String) {
        if let language, let text = texts[language] { return (language, text) }
        if let text = texts["en"] { return ("en", text) }
        for code in AnnouncementRules.languages { if let text = texts[code] { return (code, text) } }
        return ("en", "")
    }
}

/// An announcement as one member (or a signed-out visitor) sees it.
public struct AnnouncementView: Sendable, Equatable {
    public let announcement: Announcement
    /// The language `text` is in (the reader's, or the fallback's).
    public let language: String
    public let text: String
    /// The member dismissed it (Mastodon's `read`); always false for a visitor.
    public let dismissed: Bool
    /// The reader may dismiss it (a signed-in member who has not yet).
    public let mayDismiss: Bool
}

/// What an announcement may hold, decided once for the CLI, the admin page and tests.
public enum AnnouncementRules {
    /// The UI's languages, in the order a missing translation falls back through after English.
    public static let languages = ["en", "ko", "ru", "zh", "ja"]
    public static let maxTextLength = 2_000
    /// At most a year.
    public static let maxExpiryHours = 24 * 366

    /// Trimmed texts by language; throws `invalid` for an unknown language, an over-long text or none at all.
    public static func validate(texts: [String: String], expiresInHours: Int?) throws -> [String: String] {
        var cleaned: [String: String] = [:]
        for (language, raw) in texts {
            guard languages.contains(language) else { throw CoreError.invalid("announcement_language", field: "language") }
            let text = AccountRules.stripControls(raw, keepNewlines: true).trimmingWhitespace()
            if text.isEmpty { continue }
            guard text.count <= maxTextLength else { throw CoreError.invalid("announcement_too_long", field: "text") }
            cleaned[language] = text
        }
        guard !cleaned.isEmpty else { throw CoreError.invalid("announcement_empty", field: "text") }
        if let hours = expiresInHours, !(1...maxExpiryHours).contains(hours) {
            throw CoreError.invalid("announcement_expiry", field: "expires")
        }
        return cleaned
    }
}
