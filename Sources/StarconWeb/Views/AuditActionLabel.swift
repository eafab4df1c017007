import StarconCore

/// An audit action code in the viewer's words: the one place the web names audit actions.
///
/// To add an action: record it in the core with a `area.verb` code, append the code to `AuditLog.actions`
/// (the filter's list), and give each catalogue an `audit_action.<code>` key. A code the catalogue does not
/// know yet (a newer core, an entry from before a rename) still reads as words, never as a raw code:
/// "report.resolve" → "Report › resolve", "account.force_password" → "Account › force password".
enum AuditActionLabel {
    static let keyPrefix = "audit_action."

    static func text(_ code: String, _ t: Catalogue) -> String {
        let key = keyPrefix + code
        let name = t.text(key)
        return name == key ? readable(code) : name
    }

    static func readable(_ code: String) -> String {
        let parts = code.split(whereSeparator: { $0 == "." || $0 == ":" || $0 == "/" })
            .map { $0.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ") }
            .filter { !$0.isEmpty }
        guard let first = parts.first else { return code }
        return ([first.prefix(1).uppercased() + first.dropFirst()] + parts.dropFirst()).joined(separator: " › ")
    }

    /// An entry's detail in words where it is a value the catalogue names (a role, an account type, a
    /// newsgroup's posting mode); anything else as recorded.
    static func detail(_ code: String, _ detail: String, _ t: Catalogue) -> String {
        let key: String
        switch code {
        case "account.create", "account.role": key = "role_" + detail
        case "account.kind": key = "kind_" + detail
        case "group.create", "group.update": key = "news_posting_" + detail
        case "invitation.create" where detail.hasPrefix("uses="):
            return t.text("invite_uses") + ": " + detail.dropFirst("uses=".count)
        default: return detail
        }
        let name = t.text(key)
        return name == key ? detail : name
    }

    /// Whether a filter's `action` parameter looks like a code at all (any code the log may hold, known or not).
    static func isCode(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "._-".contains($0)) }
    }
}
