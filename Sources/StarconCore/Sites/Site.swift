/// An institution's website on the network, owned by one account, written by its editors.
public struct Site: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public var title: String
    public let owner: Account
    public let createdAt: Int64

    /// Visitors see the site only while its owner may sign in (`Permissions.keepsPublishing`): a suspended
    /// owner's site is offline, and comes back when the suspension ends.
    public func isOnline(now: Int64) -> Bool { Permissions.keepsPublishing(owner, now: now) }

    /// The languages a page may be written in, in the order the switcher shows them.
    public static let languages = ["ko", "en", "ru", "zh", "ja"]
    /// The account kinds that may run a site.
    public static let ownerKinds: Set<AccountKind> = [.official, .organisation, .company]
}

/// A page of a site: a page in its menu tree, or a news article.
public struct SitePage: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case page, article }
    public let id: Int64
    public let siteID: Int64
    /// The page's path under the site; "" is the home page.
    public var slug: String
    public var kind: Kind
    public var parentID: Int64?
    public var position: Int64
    /// The feed post an article became when first published.
    public var statusID: Int64?
    public let createdAt: Int64
}

/// One language of a page: its draft and what visitors see.
public struct SiteTranslation: Sendable, Equatable {
    public let pageID: Int64
    public let language: String
    public var title: String
    public var body: String
    public var publishedTitle: String?
    public var publishedBody: String?
    public var publishedAt: Int64?
    /// When the draft goes live, if scheduled.
    public var publishAt: Int64?
    public var updatedAt: Int64
    public var updatedBy: Int64

    public var isPublished: Bool { publishedBody != nil }
    /// The draft differs from what visitors see.
    public var hasUnpublishedChanges: Bool { publishedTitle != title || publishedBody != body }
}

/// A saved state of a translation: who wrote it, when, and what.
public struct SiteRevision: Sendable, Equatable {
    public enum Action: String, Sendable { case save, publish, restore, move, unpublish }
    public let id: Int64
    public let pageID: Int64
    public let language: String
    public let title: String
    public let body: String
    public let action: Action
    public let accountID: Int64
    public let createdAt: Int64
    /// What a revision that is no text change did (a move: "/old → /new").
    public var note: String = ""
}

/// What a viewer may do with a site; decided once here, shown by every front.
public struct SitePermissions: Sendable, Equatable {
    public var edit = false
    public var publish = false
    public var manageEditors = false

    public static let none = SitePermissions()
}
