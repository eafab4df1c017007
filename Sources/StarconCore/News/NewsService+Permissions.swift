import SQLKit

/// A newsgroup as one member sees it.
public struct NewsgroupView: Sendable, Equatable {
    public let group: Newsgroup
    public let permissions: NewsgroupPermissions
}

/// An article of a thread as one member sees it.
public struct ArticleView: Sendable, Equatable {
    public let numbered: NumberedArticle
    public let permissions: ArticlePermissions
    public var article: Article { numbered.article }
}

extension NewsService {
    /// The group with what `viewer` may do in it (`Permissions.newsgroup`).
    public func view(of group: Newsgroup, viewer: Account) async throws -> NewsgroupView {
        try await database.read { db in try await Self.view(of: group, viewer: viewer, now: clock.nowMilliseconds(), db: db) }
    }

    /// The groups with what `viewer` may do in each (one query for whichever groups they moderate).
    public func views(of groups: [Newsgroup], viewer: Account) async throws -> [NewsgroupView] {
        let moderated = try await database.read { db in try await Self.moderatedGroupNames(viewer, db: db) }
        let mayAct = AccountService.mayAct(viewer, now: clock.nowMilliseconds())
        return groups.map { group in
            NewsgroupView(group: group, permissions: Permissions.newsgroup(group, viewer: viewer, moderates: moderated?.contains(group.name) ?? true,
                                                                           mayAct: mayAct))
        }
    }

    /// Every published article of a thread within a group, oldest first, each with what `viewer` may do with it.
    public func thread(_ threadID: Int64, in group: Newsgroup, viewer: Account) async throws -> [ArticleView] {
        let articles = try await thread(threadID, in: group)
        let moderated = try await database.read { db in try await Self.moderatedGroupNames(viewer, db: db) }
        return articles.map { ArticleView(numbered: $0, permissions: Self.permissions($0.article, viewer: viewer, moderated: moderated)) }
    }

    /// Staff moderate every group; others only the groups that name them.
    static func view(of group: Newsgroup, viewer: Account, now: Int64, db: any SQLDatabase) async throws -> NewsgroupView {
        var moderates = viewer.isModerator
        if !moderates { moderates = try await isGroupModerator(viewer.id, group.id, db: db) }
        return NewsgroupView(group: group, permissions: Permissions.newsgroup(group, viewer: viewer, moderates: moderates,
                                                                              mayAct: AccountService.mayAct(viewer, now: now)))
    }

    static func permissions(_ article: Article, viewer: Account, moderated: Set<String>?) -> ArticlePermissions {
        let groups = article.newsgroups.split(separator: ",").map(String.init)
        return Permissions.article(article, viewer: viewer, moderatesAnyGroup: moderated.map { !$0.isDisjoint(with: groups) } ?? true)
    }

    static func permissions(_ article: Article, viewer: Account, db: any SQLDatabase) async throws -> ArticlePermissions {
        permissions(article, viewer: viewer, moderated: try await moderatedGroupNames(viewer, db: db))
    }

    /// The groups `account` moderates by name; nil for staff, who moderate every group.
    static func moderatedGroupNames(_ account: Account, db: any SQLDatabase) async throws -> Set<String>? {
        if account.isModerator { return nil }
        return Set(try await db.raw("""
            SELECT g.name FROM newsgroup_moderators m JOIN newsgroups g ON g.id = m.group_id WHERE m.account_id = \(bind: account.id)
            """).all().map { try $0.decode(column: "name", as: String.self) })
    }
}
