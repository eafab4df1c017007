/// What one viewer may do with one thing, decided here and nowhere else. Every view the core hands out
/// carries its answer (`StatusView.permissions`, `AccountView.permissions`, `ConversationView.permissions`,
/// `NewsGroupView.permissions`, `NewsArticleView.permissions`), the core's own mutating functions check the
/// same function before they change anything, and the web's templates, the Mastodon API and NNTP only show
/// or translate the answer. So a rule cannot differ between what is offered and what is allowed, nor between
/// surfaces.
public enum Permissions {
    /// A status as `viewer` sees it (one they may see: `Viewer.canSee` decided that). For a repost,
    /// `original` is the reposted status: favouriting, reacting, bookmarking and reposting act on it (as the
    /// core's functions do when given a repost's id), deleting acts on the repost itself, and a repost is
    /// neither replied to nor edited.
    public static func status(_ status: Status, original: Status? = nil, viewer: Account, mayAct: Bool, mayReport: Bool = false) -> StatusPermissions {
        let target = original ?? status
        let own = status.author.id == viewer.id
        let isRepost = status.reblogOfID != nil
        return StatusPermissions(
            reply: mayAct && !isRepost,
            // Mastodon lets a member repost their own public post; a followers-only or direct post is never
            // reposted (a repost is public).
            // nor is a limited member's post: a repost would carry it past their followers.
            repost: mayAct && target.visibility.isOpen && !target.author.limited,
            favourite: mayAct,
            react: mayAct,
            bookmark: mayAct,
            delete: own || viewer.isModerator,
            edit: mayAct && own && !isRepost,
            report: mayReport && target.author.id != viewer.id)
    }

    /// Whether a member may report anything at all: whoever may sign in (`AccountService.ensureMaySignIn`),
    /// mail-only members included, since they may report a mail.
    public static func mayReport(_ viewer: Account, now: Int64) -> Bool {
        (try? AccountService.ensureMaySignIn(viewer, now: now)) != nil
    }

    /// Whether what `account` publishes beyond its posts (its site) stays up: while it may sign in
    /// (`AccountService.ensureMaySignIn`), so a suspension, timed or not, takes it down until lifted.
    /// `SiteRules.ownerOnline` is this rule as an SQL condition; `SiteServiceTests` holds the two to the same cases.
    public static func keepsPublishing(_ account: Account, now: Int64) -> Bool {
        (try? AccountService.ensureMaySignIn(account, now: now)) != nil
    }

    /// Whether `viewer` may act as staff on `target` (warn, limit, suspend, ban; lift them): moderators on
    /// members, admins on anyone, nobody on themself.
    public static func moderate(_ target: Account, viewer: Account) -> Bool {
        viewer.isModerator && target.id != viewer.id && (viewer.isAdmin || !target.isModerator)
    }

    /// What `viewer` may do with a report: only staff see reports; an open one is resolved once. Acting on
    /// the member needs `moderate`; deleting needs content that can be deleted (a post, a message, an
    /// article; a mail lives in the reporter's own mailbox, an account is not content).
    public static func report(_ report: Report, viewer: Account) -> ReportPermissions {
        guard viewer.isModerator, report.state == .open else { return ReportPermissions() }
        let onMember = report.account.map { moderate($0, viewer: viewer) } ?? false
        let deletable = [.status, .message, .article, .sitePage].contains(report.targetKind)
        let active = report.account?.status == .active
        return ReportPermissions(dismiss: true, delete: deletable, warn: onMember, limit: onMember && report.account?.limited == false,
                                 suspend: onMember && active, ban: onMember && (active || report.account?.suspendedUntil != nil))
    }

    /// Whether a member may pin a status to their profile: their own, not a repost, not a direct one.
    public static func pin(_ status: Status, viewer: Account) -> Bool {
        status.author.id == viewer.id && status.reblogOfID == nil && status.visibility != .direct
    }

    /// Whether a member may vote in a poll they can see: once, while it runs.
    public static func vote(_ poll: Poll, voted: Bool, mayAct: Bool) -> Bool {
        mayAct && !poll.expired && !voted
    }

    /// `target` as `viewer` sees them. A member who blocked the viewer is not there for them, on every
    /// surface (a profile page, a Mastodon account lookup, its statuses and follows all answer "not found"),
    /// but the viewer may still block or mute them.
    public static func account(_ target: Account, viewer: Account, relationship: Relationship, mayAct: Bool) -> AccountPermissions {
        let me = target.id == viewer.id
        let view = me || (target.status == .active && !relationship.blockedBy)
        let moderates = viewer.isModerator && !me && (viewer.isAdmin || !target.isModerator)
        return AccountPermissions(
            view: view,
            follow: mayAct && !me && view && target.status == .active && !relationship.blocking,
            block: !me,
            mute: !me,
            message: mayAct && !me && view && target.status == .active && !target.emailOnly && !relationship.blocking,
            report: mayAct && !me && view,
            suspend: moderates && target.status == .active,
            unsuspend: moderates && target.status == .suspended,
            // An admin never changes their own role, so an instance never loses its last admin by accident.
            changeRole: viewer.isAdmin && !me,
            changeKind: viewer.isAdmin)
    }

    /// Whether `viewer` may hand out a one-time link that sets `target`'s password: admins, never for themselves
    /// (they change it in their settings).
    public static func issueResetLink(_ target: Account, viewer: Account) -> Bool {
        viewer.isAdmin && target.id != viewer.id
    }

    /// What the member may do on the instance as a whole (not about one object).
    public static func instance(_ viewer: Account) -> InstancePermissions {
        InstancePermissions(administer: viewer.isModerator, setRegistrationMode: viewer.isAdmin, approveRegistrations: viewer.isAdmin,
                            manageGroups: viewer.isModerator, announce: viewer.isAdmin && viewer.status == .active,
                            setPhotoLoadingDefault: viewer.isAdmin && viewer.status == .active)
    }

    /// A conversation `viewer` is a member of. `blocked`: a direct conversation whose other member and the
    /// viewer have blocked each other (either way).
    public static func conversation(kind: ConversationKind, role: ConversationRole, blocked: Bool, mayAct: Bool) -> ConversationPermissions {
        let administers = mayAct && kind == .group && role == .admin
        return ConversationPermissions(send: mayAct && !blocked, rename: administers, addMembers: administers, removeMembers: administers,
                                       leave: true, mute: true)
    }

    /// A message in a conversation the viewer (`viewerID`) is in.
    public static func message(_ message: Message, viewerID: Int64, mayAct: Bool) -> MessagePermissions {
        let own = message.sender.id == viewerID
        return MessagePermissions(reply: mayAct, edit: mayAct && own, delete: own, report: mayAct && !own)
    }

    /// A newsgroup. `moderates`: the viewer is staff or one of the group's moderators.
    public static func newsgroup(_ group: Newsgroup, viewer: Account, moderates: Bool, mayAct: Bool) -> NewsgroupPermissions {
        let post = mayAct && (group.posting != .readonly || moderates)
        return NewsgroupPermissions(post: post, postWaitsForApproval: post && group.posting == .moderated && !moderates,
                                    moderate: moderates, configure: viewer.isModerator)
    }

    /// An article. `moderatesAnyGroup`: the viewer moderates one of the groups it was posted to (staff
    /// moderate every group).
    public static func article(_ article: Article, viewer: Account, moderatesAnyGroup: Bool) -> ArticlePermissions {
        let live = article.status == .published || article.status == .pending
        return ArticlePermissions(cancel: live && (article.authorID == viewer.id || moderatesAnyGroup),
                                  approve: article.status == .pending && moderatesAnyGroup,
                                  report: article.status == .published && article.authorID != viewer.id)
    }
}

public struct StatusPermissions: Sendable, Equatable {
    public var reply, repost, favourite, react, bookmark, delete, edit: Bool
    /// Vote in its poll (`Permissions.vote`); false without one.
    public var vote = false
    /// Report it to the moderators (not one's own).
    public var report = false
}

public struct ReportPermissions: Sendable, Equatable {
    public var dismiss = false, delete = false, warn = false, limit = false, suspend = false, ban = false
    /// Any outcome at all: the report is open and the viewer is staff.
    public var resolve: Bool { dismiss }

    public func allows(_ outcome: ReportOutcome) -> Bool {
        switch outcome {
        case .dismiss: dismiss
        case .delete: delete
        case .warn: warn
        case .limit: limit
        case .suspend: suspend
        case .ban: ban
        }
    }
}

public struct AccountPermissions: Sendable, Equatable {
    /// The profile, its statuses and its follows may be shown at all.
    public var view: Bool
    public var follow, block, mute, message: Bool
    /// Report the account to the moderators.
    public var report: Bool
    public var suspend, unsuspend, changeRole, changeKind: Bool
}

public struct InstancePermissions: Sendable, Equatable {
    /// The admin pages: members, invitations, the audit log.
    public var administer: Bool
    public var setRegistrationMode, approveRegistrations: Bool
    /// Creating newsgroups and changing their settings and moderators.
    public var manageGroups: Bool
    /// Publishing and ending announcements to every member.
    public var announce: Bool = false
    /// The instance's default for how photos load (the data saver).
    public var setPhotoLoadingDefault: Bool = false
}

public struct ConversationPermissions: Sendable, Equatable {
    public var send, rename, addMembers, removeMembers, leave, mute: Bool
}

public struct MessagePermissions: Sendable, Equatable {
    public var reply, edit, delete, report: Bool
}

public struct NewsgroupPermissions: Sendable, Equatable {
    public var post: Bool
    /// A post from this viewer waits in the moderation queue.
    public var postWaitsForApproval: Bool
    /// See and decide the moderation queue; cancel any article in the group.
    public var moderate: Bool
    /// Change the description, posting policy and moderators.
    public var configure: Bool
}

public struct ArticlePermissions: Sendable, Equatable {
    public var cancel, approve, report: Bool
}
