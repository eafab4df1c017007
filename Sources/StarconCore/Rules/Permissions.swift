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
    public static func status(_ status: Status, original: Status? = nil, viewer: Account, mayAct: Bool) -> StatusPermissions {
        let target = original ?? status
        let own = status.author.id == viewer.id
        let isRepost = status.reblogOfID != nil
        return StatusPermissions(
            reply: mayAct && !isRepost,
            // Mastodon lets a member repost their own public post; a followers-only or direct post is never
            // reposted (a repost is public).
            repost: mayAct && target.visibility.isOpen,
            favourite: mayAct,
            react: mayAct,
            bookmark: mayAct,
            delete: own || viewer.isModerator,
            edit: mayAct && own && !isRepost)
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
            suspend: moderates && target.status == .active,
            unsuspend: moderates && target.status == .suspended,
            // An admin never changes their own role, so an instance never loses its last admin by accident.
            changeRole: viewer.isAdmin && !me,
            changeKind: viewer.isAdmin)
    }

    /// What the member may do on the instance as a whole (not about one object).
    public static func instance(_ viewer: Account) -> InstancePermissions {
        InstancePermissions(administer: viewer.isModerator, setRegistrationMode: viewer.isAdmin, approveRegistrations: viewer.isAdmin,
                            manageGroups: viewer.isModerator, announce: viewer.isAdmin && viewer.status == .active)
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
        return MessagePermissions(reply: mayAct, edit: mayAct && own, delete: own)
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
                                  approve: article.status == .pending && moderatesAnyGroup)
    }
}

public struct StatusPermissions: Sendable, Equatable {
    public var reply, repost, favourite, react, bookmark, delete, edit: Bool
    /// Vote in its poll (`Permissions.vote`); false without one.
    public var vote = false
}

public struct AccountPermissions: Sendable, Equatable {
    /// The profile, its statuses and its follows may be shown at all.
    public var view: Bool
    public var follow, block, mute, message: Bool
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
}

public struct ConversationPermissions: Sendable, Equatable {
    public var send, rename, addMembers, removeMembers, leave, mute: Bool
}

public struct MessagePermissions: Sendable, Equatable {
    public var reply, edit, delete: Bool
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
    public var cancel, approve: Bool
}
