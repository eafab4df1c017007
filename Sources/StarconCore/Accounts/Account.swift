/// A member of the network.
public struct Account: Sendable, Equatable {
    public let id: Int64
    public var username: String
    public var displayName: String
    public var bio: String
    public var kind: AccountKind
    public var role: Role
    public var status: AccountStatus
    public var statusReason: String
    public var registrationNote: String
    /// The member's chosen UI language; nil means "from the browser".
    public var language: String?
    public var emailOnly: Bool
    public var expiresAt: Int64?
    public var createdAt: Int64
    public var lastSeenAt: Int64?
    /// Follow requests wait for the member's approval.
    public var locked: Bool = false
    /// The member's time zone (an IANA name, "Asia/Seoul"); nil means "the browser's, else the instance's".
    public var timeZone: String? = nil
    /// Profile images, as files under `/media/` (nil: the instance's default picture).
    public var avatarFile: String? = nil
    public var headerFile: String? = nil
    /// Shown as an automated account.
    public var bot: Bool = false
    /// Listed in the directory and suggestions.
    public var discoverable: Bool = true
    /// Up to four name/value pairs shown on the profile.
    public var fields: [ProfileField] = []
    /// A moderator limited the member: others see their posts as followers-only (`Viewer.canSee`).
    public var limited: Bool = false
    /// When a timed suspension ends by itself (nil: not suspended, or until lifted).
    public var suspendedUntil: Int64? = nil
    /// How photos load for this member (the data saver); nil: the instance's default.
    public var photoLoading: PhotoLoading? = nil

    public var isAdmin: Bool { role == .admin }
    public var isModerator: Bool { role == .admin || role == .moderator }
}

/// One name/value pair on a profile (Mastodon's `fields`).
public struct ProfileField: Sendable, Equatable {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The badge an admin sets: what kind of member this is.
public enum AccountKind: String, Sendable, CaseIterable, Codable {
    case person, official, organisation, company, visitor
}

public enum Role: String, Sendable, CaseIterable, Codable {
    case member, moderator, admin
}

public enum AccountStatus: String, Sendable, CaseIterable, Codable {
    /// May sign in and use every part.
    case active
    /// Registered while the instance requires approval; waits in the admins' queue.
    case pending
    /// Stopped by a moderator or admin; refused on every surface.
    case suspended
    /// A registration an admin turned down.
    case rejected
}

/// How newcomers join; set by an admin.
public enum RegistrationMode: String, Sendable, CaseIterable {
    /// Only with an invitation link (the default: closed networks are closed).
    case invitation
    /// Anyone may ask; an admin approves.
    case approval
    /// Anyone may join.
    case open
}
