/// A discussion group (`starcon.general`, `campus.sports`).
public struct Newsgroup: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public var description: String
    public var posting: PostingPolicy
    /// The highest article number ever assigned; numbers are never reused.
    public let high: Int64
    /// The lowest number still present (high + 1 when the group is empty, as RFC 3977 §6.1.1.2 allows).
    public let low: Int64
    public let articleCount: Int
    public let createdBy: String
    public let createdAt: Int64
}

/// Who may post to a group.
public enum PostingPolicy: String, Sendable, CaseIterable, Codable {
    /// Every active member.
    case open
    /// Posts wait until a group moderator approves them.
    case moderated
    /// Only the group's moderators and the instance's staff (official announcement groups).
    case readonly
}

/// Rules for group names (RFC 3977 §4.1 and the conventions of Usenet hierarchies).
public enum NewsgroupRules {
    public static let maxNameLength = 80
    public static let maxDescriptionLength = 200

    /// A host name for message-ids and addresses: dot-separated labels of letters, digits and hyphens.
    public static func isValidDomain(_ domain: String) -> Bool {
        guard !domain.isEmpty, domain.count <= 253 else { return false }
        return domain.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// Dot-separated components of lowercase letters, digits, `+`, `-` and `_`, each starting with a letter or digit.
    public static func validateName(_ name: String) throws(CoreError) {
        guard !name.isEmpty, name.count <= maxNameLength else { throw .invalid("group_name", field: "name") }
        for component in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard let first = component.first, first.isASCII, first.isLetter || first.isNumber,
                  component.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || "+-_".contains($0)) }) else {
                throw .invalid("group_name", field: "name")
            }
        }
    }
}
