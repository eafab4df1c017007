/// A member's report of a post, a message, an article, a mail or an account, as moderators work it.
public struct Report: Sendable, Equatable {
    public let id: Int64
    public let reporter: Account
    public let targetKind: ReportTargetKind
    public let targetID: Int64
    /// The posts the report names (Mastodon's `status_ids`); the one post for a post's report.
    public let statusIDs: [Int64]
    /// The member the report is about; nil for a mail from outside the instance.
    public let account: Account?
    public let category: ReportCategory
    public let comment: String
    /// What the reporter saw, kept when the report was made.
    public let excerpt: String
    public let state: ReportState
    public let outcome: ReportOutcome?
    public let note: String
    public let resolvedBy: Int64?
    public let resolvedAt: Int64?
    public let createdAt: Int64
}

public enum ReportTargetKind: String, Sendable, CaseIterable {
    case status, message, article, mail, account
    /// A page of a site (`SitePage.id`); taking it down unpublishes every language.
    case sitePage = "site_page"
}

public enum ReportCategory: String, Sendable, CaseIterable {
    case spam, abuse, illegal, impersonation, hacked, other

    /// Mastodon's categories (`spam`, `legal`, `violation`, `other`) and ours.
    public init?(mastodon name: String) {
        switch name {
        case "legal": self = .illegal
        case "violation": self = .abuse
        default: self.init(rawValue: name)
        }
    }

    /// The nearest Mastodon category, for its Report entity.
    public var mastodon: String {
        switch self {
        case .spam: "spam"
        case .illegal: "legal"
        case .abuse: "violation"
        case .impersonation, .hacked, .other: "other"
        }
    }
}

public enum ReportState: String, Sendable, CaseIterable {
    case open, resolved
}

/// What a moderator decided.
public enum ReportOutcome: String, Sendable, CaseIterable {
    /// Nothing wrong found.
    case dismiss
    /// The reported post, message or article is deleted.
    case delete
    /// The member sees a warning on their next page and acknowledges it.
    case warn
    /// The member's posts reach only their followers.
    case limit
    /// Suspended for some days.
    case suspend
    /// Suspended until lifted.
    case ban
}

/// A report with what the viewer may do with it.
public struct ReportView: Sendable, Equatable {
    public let report: Report
    public let permissions: ReportPermissions
}
