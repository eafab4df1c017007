import SQLKit

/// What a member's new posts are by default (Mastodon's `source[privacy|sensitive|language]`).
public struct PostingDefaults: Sendable, Equatable {
    public var privacy: Visibility
    public var sensitive: Bool
    public var language: String?
}

/// A change to the profile as Mastodon's `update_credentials` makes it: each nil part is left as it is.
public struct ProfileUpdate: Sendable {
    public var displayName: String?
    public var bio: String?
    public var fields: [ProfileField]?
    public var bot: Bool?
    public var discoverable: Bool?
    /// One's own unattached upload (through `MediaService.upload`) to become the avatar or the header.
    public var avatarMediaID: Int64?
    public var headerMediaID: Int64?
    public var privacy: Visibility?
    public var sensitive: Bool?
    /// `""` clears it.
    public var language: String?

    public init() {}
}

public enum ProfileRules {
    public static let maxFields = 4
    public static let maxFieldName = 255
    public static let maxFieldValue = 255
}

extension AccountService {
    /// Applies `update` to `account`'s profile in one transaction; nothing changes when any part is refused.
    public func updateProfile(of account: Account, _ update: ProfileUpdate) async throws -> Account {
        let displayName = try update.displayName.map { try AccountRules.cleanDisplayName($0) }
        let bio = try update.bio.map { try AccountRules.cleanBio($0) }
        let fields = try update.fields.map(Self.cleanFields)
        let language = update.language.map { $0.isEmpty ? nil : $0 }
        if let language { try AccountRules.validateLanguage(language) }
        let privacy = update.privacy
        guard privacy != .direct else { throw CoreError.invalid("privacy_direct", field: "source[privacy]") }
        return try await database.write { db in
            var sets: [SQLQueryString] = []
            if let displayName { sets.append("display_name = \(bind: displayName)") }
            if let bio { sets.append("bio = \(bind: bio)") }
            if let fields { sets.append("profile_fields = \(bind: ProfileFields.encode(fields))") }
            if let bot = update.bot { sets.append("bot = \(bind: bot ? 1 : 0)") }
            if let discoverable = update.discoverable { sets.append("discoverable = \(bind: discoverable ? 1 : 0)") }
            if let privacy { sets.append("posting_privacy = \(bind: privacy.rawValue)") }
            if let sensitive = update.sensitive { sets.append("posting_sensitive = \(bind: sensitive ? 1 : 0)") }
            if let language { sets.append("posting_language = \(bind: language)") }
            for (mediaID, prefix, version) in [(update.avatarMediaID, "avatar", "small"), (update.headerMediaID, "header", "large")] {
                guard let mediaID else { continue }
                guard let file = try await Self.ownUpload(mediaID, version: version, owner: account.id, db: db) else {
                    throw CoreError.invalid("media_unknown", field: prefix)
                }
                sets.append("\(unsafeRaw: prefix)_media_id = \(bind: mediaID)")
                sets.append("\(unsafeRaw: prefix)_file = \(bind: file)")
            }
            if !sets.isEmpty {
                var assignments = sets[0]
                for set in sets.dropFirst() { assignments = assignments + ", " + set }
                try await db.raw("UPDATE accounts SET \(assignments) WHERE id = \(bind: account.id)").run()
            }
            if let displayName { try await SearchDocuments.account(id: account.id, username: account.username, displayName: displayName, db: db) }
            return try await Self.find(id: account.id, db: db) ?? account
        }
    }

    public func postingDefaults(of account: Account) async throws -> PostingDefaults {
        try await database.read { db in
            guard let row = try await db.raw("""
                SELECT posting_privacy, posting_sensitive, posting_language FROM accounts WHERE id = \(bind: account.id)
                """).first() else { throw CoreError.notFound }
            return PostingDefaults(privacy: Visibility(rawValue: try row.decode(column: "posting_privacy", as: String.self)) ?? .public,
                                   sensitive: try row.decode(column: "posting_sensitive", as: Int.self) != 0,
                                   language: try row.decode(column: "posting_language", as: String?.self))
        }
    }

    /// The file name of one's own photo upload not used by a status or message, in the given version.
    private static func ownUpload(_ id: Int64, version: String, owner: Int64, db: any SQLDatabase) async throws -> String? {
        guard let row = try await db.raw("""
            SELECT digest, \(unsafeRaw: version)_ext AS ext FROM media
            WHERE id = \(bind: id) AND account_id = \(bind: owner) AND status_id IS NULL AND message_id IS NULL
            """).first() else { return nil }
        return "\(try row.decode(column: "digest", as: String.self))-\(version).\(try row.decode(column: "ext", as: String.self))"
    }

    static func cleanFields(_ fields: [ProfileField]) throws -> [ProfileField] {
        let cleaned = fields.map {
            ProfileField(name: AccountRules.stripControls($0.name).trimmingWhitespace(), value: AccountRules.stripControls($0.value).trimmingWhitespace())
        }.filter { !$0.name.isEmpty || !$0.value.isEmpty }
        guard cleaned.count <= ProfileRules.maxFields else { throw CoreError.invalid("fields_count", field: "fields_attributes") }
        guard cleaned.allSatisfy({ !$0.name.isEmpty && $0.name.count <= ProfileRules.maxFieldName && $0.value.count <= ProfileRules.maxFieldValue }) else {
            throw CoreError.invalid("field_length", field: "fields_attributes")
        }
        return cleaned
    }
}
