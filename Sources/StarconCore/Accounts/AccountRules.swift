import Foundation

/// Rules for what members may type about themselves. Checked in the core, so every surface agrees.
public enum AccountRules {
    public static let usernameMaxLength = 30
    public static let displayNameMaxLength = 60
    public static let bioMaxLength = 500
    public static let passwordMinLength = 10
    /// bcrypt uses only the first 72 bytes; longer passwords would be silently truncated.
    public static let passwordMaxBytes = 72
    public static let languages = ["en", "ko", "ru", "zh", "ja"]

    /// Letters, digits and underscore (ASCII, so it also works as a mail local part and in NNTP From).
    public static func validateUsername(_ name: String) throws(CoreError) {
        guard !name.isEmpty, name.count <= usernameMaxLength else { throw .invalid("username_length", field: "username") }
        guard name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }) else {
            throw .invalid("username_characters", field: "username")
        }
    }

    /// Any script; no control characters; trimmed.
    public static func cleanDisplayName(_ text: String) throws(CoreError) -> String {
        let cleaned = stripControls(text).trimmingWhitespace()
        guard !cleaned.isEmpty else { throw .invalid("display_name_empty", field: "display_name") }
        guard cleaned.count <= displayNameMaxLength else { throw .invalid("display_name_length", field: "display_name") }
        return cleaned
    }

    public static func cleanBio(_ text: String) throws(CoreError) -> String {
        let cleaned = stripControls(text, keepNewlines: true).trimmingWhitespace()
        guard cleaned.count <= bioMaxLength else { throw .invalid("bio_length", field: "bio") }
        return cleaned
    }

    public static func validatePassword(_ password: String) throws(CoreError) {
        guard password.count >= passwordMinLength else { throw .invalid("password_short", field: "password") }
        guard password.utf8.count <= passwordMaxBytes else { throw .invalid("password_long", field: "password") }
    }

    public static func validateLanguage(_ code: String?) throws(CoreError) {
        if let code, !languages.contains(code) { throw .invalid("language_unknown", field: "language") }
    }

    /// A time zone is an IANA name the system knows ("Europe/Moscow"); nil follows the browser.
    public static func validateTimeZone(_ name: String?) throws(CoreError) {
        if let name, name.count > 64 || TimeZone(identifier: name) == nil { throw .invalid("time_zone_unknown", field: "time_zone") }
    }

    static func stripControls(_ text: String, keepNewlines: Bool = false) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        return String(String.UnicodeScalarView(normalized.unicodeScalars.filter { scalar in
            if keepNewlines && scalar == "\n" { return true }
            return scalar.properties.generalCategory != .control && scalar.properties.generalCategory != .format
                || scalar == "\u{200D}"  // zero-width joiner, used by emoji sequences
        }))
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
