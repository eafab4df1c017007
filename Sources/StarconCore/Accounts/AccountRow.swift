import SQLKit

/// Reading `accounts` rows; the one place that knows the column names.
enum AccountRow {
    static let columns = """
        id, username, display_name, bio, kind, role, status, status_reason, registration_note, language,
        email_only, expires_at, created_at, last_seen_at, locked, time_zone, avatar_file, header_file, bot, discoverable, profile_fields,
        limited, suspended_until, photo_loading
        """
    /// The same columns qualified with the alias `a`, for joins.
    static let joinedColumns = columns.split(separator: ",").map { "a." + String(String($0).trimmingWhitespace()) }.joined(separator: ", ")

    static func decode(_ row: any SQLRow) throws -> Account {
        Account(
            id: try row.decode(column: "id", as: Int64.self),
            username: try row.decode(column: "username", as: String.self),
            displayName: try row.decode(column: "display_name", as: String.self),
            bio: try row.decode(column: "bio", as: String.self),
            kind: AccountKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .person,
            role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .member,
            status: AccountStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .suspended,
            statusReason: try row.decode(column: "status_reason", as: String.self),
            registrationNote: try row.decode(column: "registration_note", as: String.self),
            language: try row.decode(column: "language", as: String?.self),
            emailOnly: try row.decode(column: "email_only", as: Int.self) != 0,
            expiresAt: try row.decode(column: "expires_at", as: Int64?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            lastSeenAt: try row.decode(column: "last_seen_at", as: Int64?.self),
            locked: try row.decode(column: "locked", as: Int.self) != 0,
            timeZone: try row.decode(column: "time_zone", as: String?.self),
            avatarFile: try row.decode(column: "avatar_file", as: String?.self),
            headerFile: try row.decode(column: "header_file", as: String?.self),
            bot: try row.decode(column: "bot", as: Int.self) != 0,
            discoverable: try row.decode(column: "discoverable", as: Int.self) != 0,
            fields: ProfileFields.decode(try row.decode(column: "profile_fields", as: String.self)),
            limited: try row.decode(column: "limited", as: Int.self) != 0,
            suspendedUntil: try row.decode(column: "suspended_until", as: Int64?.self),
            photoLoading: try row.decode(column: "photo_loading", as: String?.self).flatMap(PhotoLoading.init(rawValue:))
        )
    }
}

/// Profile fields as stored: one pair a line, name and value split by a tab.
enum ProfileFields {
    static func decode(_ text: String) -> [ProfileField] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: true).map { line in
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            return ProfileField(name: String(parts[0]), value: parts.count > 1 ? String(parts[1]) : "")
        }
    }

    static func encode(_ fields: [ProfileField]) -> String {
        fields.map { "\($0.name)\t\($0.value)" }.joined(separator: "\n")
    }
}
