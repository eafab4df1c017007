import SQLKit

/// Reading `accounts` rows; the one place that knows the column names.
enum AccountRow {
    static let columns = """
        id, username, display_name, bio, kind, role, status, status_reason, registration_note, language,
        email_only, expires_at, created_at, last_seen_at, locked, time_zone
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
            timeZone: try row.decode(column: "time_zone", as: String?.self)
        )
    }
}
