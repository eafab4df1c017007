@testable import StarconCore
import Testing

/// Every rule as a table: what a view says the viewer may do, and whether the core then lets them do it,
/// must be the same answer (`Permissions` decides both).
@Suite("Permissions")
struct PermissionsTests {
    /// One rule: the answer the view carries (read just before the call, after the rows above it ran), and
    /// the core's mutating call it stands for.
    struct Row {
        let name: String
        let shown: () async throws -> Bool
        let act: () async throws -> Void
    }

    static let password = "correct horse battery"

    static func account(_ core: Core, _ name: String, role: Role = .member, kind: AccountKind = .person, emailOnly: Bool = false) async throws -> Account {
        var new = AccountService.NewAccount(username: name, displayName: name.capitalized, password: password)
        new.role = role
        new.kind = kind
        new.emailOnly = emailOnly
        return try await core.accounts.create(new)
    }

    @Test(arguments: TestEngine.all)
    func whatAViewOffersIsWhatTheCoreAllows(engine: TestEngine) async throws {
        let (clock, time) = Clock.manual(startingAt: 1_750_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            let kim = try await Self.account(core, "kim"), lee = try await Self.account(core, "lee"), park = try await Self.account(core, "park")
            let jo = try await Self.account(core, "jo"), ann = try await Self.account(core, "ann")
            let mod = try await Self.account(core, "mod", role: .moderator), mod2 = try await Self.account(core, "mod2", role: .moderator)
            let root = try await Self.account(core, "root", role: .admin)
            let mailer = try await Self.account(core, "mailer", emailOnly: true)
            var guest = try await Self.account(core, "guest", kind: .visitor)
            guest = try await core.accounts.adminUpdate(actor: root, target: guest.id, .init(expiresAt: .some(clock.nowMilliseconds() + 1000)))
            time.advance(milliseconds: 2000)

            _ = try await core.relationships.follow(kim, lee)
            let kimPublic = try await core.feed.post(author: kim, .init(text: "mine")).status.id
            let leePublic = try await core.feed.post(author: lee, .init(text: "lee's")).status.id
            let leePrivate = try await core.feed.post(author: lee, .init(text: "followers", visibility: .private)).status.id
            let leeDoomed = try await core.feed.post(author: lee, .init(text: "to be deleted")).status.id
            _ = try await core.relationships.block(park, kim)
            _ = try await core.relationships.block(kim, jo)

            func status(_ id: Int64, _ viewer: Account) async throws -> StatusPermissions {
                guard let view = try await core.feed.view(id: id, viewer: viewer) else { throw CoreError.notFound }
                return view.permissions
            }
            func account(_ target: Account, _ viewer: Account) async throws -> AccountPermissions {
                guard let view = try await core.relationships.view(of: target, viewer: viewer) else { throw CoreError.notFound }
                return view.permissions
            }
            func moderation(_ target: Account, _ viewer: Account) async throws -> AccountPermissions {
                let row = try #require(try await core.accounts.moderationList(actor: viewer, limit: 100).first { $0.account.id == target.id })
                return row.permissions
            }

            // Messenger: a group kim runs with lee, a direct conversation whose other member then blocks kim.
            let group = try await core.messenger.start(creator: kim, usernames: ["lee"], title: "team", group: true)
            let direct = try await core.messenger.start(creator: kim, usernames: ["ann"])
            _ = try await core.relationships.block(ann, kim)
            let leeMessage = try await core.messenger.send(sender: lee, conversationID: group.id, text: "from lee").message
            let kimMessage = try await core.messenger.send(sender: kim, conversationID: group.id, text: "from kim").message
            let kimsGroup = try await core.messenger.conversation(id: group.id, viewer: kim)
            let leesGroup = try await core.messenger.conversation(id: group.id, viewer: lee)

            // Newsgroups: a read-only group, a moderated one kim moderates, an article of lee's in each open one.
            let announcements = try await core.news.createGroup(actor: root, name: "starcon.announce", posting: .readonly)
            let moderated = try await core.news.createGroup(actor: root, name: "starcon.moderated", posting: .moderated)
            _ = try await core.news.updateGroup(actor: root, name: moderated.name, description: "", posting: .moderated, moderators: ["kim"])
            let open = try await core.news.createGroup(actor: root, name: "starcon.open")
            let chat = try await core.news.createGroup(actor: root, name: "starcon.chat")
            _ = try await core.news.updateGroup(actor: root, name: chat.name, description: "", posting: .open, moderators: ["kim"])
            let leeArticle = try await core.news.post(author: lee, ArticleDraft(newsgroups: [open.name], subject: "hello", body: "text")).article
            let leeQueued = try await core.news.post(author: lee, ArticleDraft(newsgroups: [moderated.name], subject: "wait", body: "text")).article
            let leeOther = try await core.news.post(author: lee, ArticleDraft(newsgroups: [open.name, chat.name], subject: "x", body: "text"))
            func newsgroup(_ group: Newsgroup, _ viewer: Account) async throws -> NewsgroupPermissions {
                let view = try await core.news.view(of: group, viewer: viewer)
                return view.permissions
            }
            func article(_ article: Article, in group: Newsgroup, _ viewer: Account) async throws -> ArticlePermissions {
                let thread = try await core.news.thread(article.threadID, in: group, viewer: viewer)
                guard let view = thread.first(where: { $0.article.id == article.id }) else { throw CoreError.notFound }
                return view.permissions
            }
            let pendingForKim = try await core.news.pending(actor: kim, in: moderated)
            #expect(pendingForKim.map(\.id) == [leeQueued.id])
            // A pending article is in no thread yet: its permissions as the moderation queue would show them.
            func pending(_ article: Article, _ viewer: Account) async throws -> ArticlePermissions {
                try await core.database.read { db in try await NewsService.permissions(article, viewer: viewer, db: db) }
            }

            let rows: [Row] = [
                // Statuses
                Row(name: "repost one's own public status (as Mastodon)", shown: { try await status(kimPublic, kim).repost }) {
                    _ = try await core.feed.reblog(by: kim, statusID: kimPublic)
                },
                Row(name: "repost a followers-only status", shown: { try await status(leePrivate, kim).repost }) {
                    _ = try await core.feed.reblog(by: kim, statusID: leePrivate)
                },
                Row(name: "delete another member's status", shown: { try await status(leePublic, kim).delete }) {
                    try await core.feed.delete(actor: kim, id: leePublic)
                },
                Row(name: "a moderator deletes a member's status", shown: { try await status(leeDoomed, mod).delete }) {
                    try await core.feed.delete(actor: mod, id: leeDoomed)
                },
                Row(name: "edit another member's status", shown: { try await status(leePublic, mod).edit }) {
                    _ = try await core.feed.edit(actor: mod, id: leePublic, text: "changed", spoilerText: "")
                },
                Row(name: "edit one's own status", shown: { try await status(kimPublic, kim).edit }) {
                    _ = try await core.feed.edit(actor: kim, id: kimPublic, text: "mine, edited", spoilerText: "")
                },
                Row(name: "an expired visitor replies", shown: { try await status(leePublic, guest).reply }) {
                    _ = try await core.feed.post(author: guest, .init(text: "late", inReplyToID: leePublic))
                },
                Row(name: "an expired visitor favourites", shown: { try await status(leePublic, guest).favourite }) {
                    _ = try await core.feed.add(.favourite, by: guest, statusID: leePublic)
                },
                Row(name: "a mail-only account reacts", shown: { try await status(leePublic, mailer).react }) {
                    _ = try await core.feed.react(by: mailer, statusID: leePublic, emoji: "👍")
                },
                Row(name: "a member bookmarks", shown: { try await status(leePublic, kim).bookmark }) {
                    _ = try await core.feed.add(.bookmark, by: kim, statusID: leePublic)
                },
                // Accounts
                Row(name: "follow a member one blocks", shown: { try await account(jo, kim).follow }) {
                    _ = try await core.relationships.follow(kim, jo)
                },
                Row(name: "follow a member", shown: { try await account(park, lee).follow }) {
                    _ = try await core.relationships.follow(lee, park)
                },
                Row(name: "block oneself", shown: { try await account(kim, kim).block }) { _ = try await core.relationships.block(kim, kim) },
                Row(name: "mute a member", shown: { try await account(lee, kim).mute }) { _ = try await core.relationships.mute(kim, lee) },
                Row(name: "message a member one blocks", shown: { try await account(jo, kim).message }) {
                    _ = try await core.messenger.start(creator: kim, usernames: ["jo"])
                },
                Row(name: "a moderator suspends a moderator", shown: { try await moderation(mod2, mod).suspend }) {
                    _ = try await core.accounts.setSuspended(actor: mod, target: mod2.id, suspended: true, reason: "no")
                },
                Row(name: "a moderator suspends a member", shown: { try await moderation(park, mod).suspend }) {
                    _ = try await core.accounts.setSuspended(actor: mod, target: park.id, suspended: true, reason: "spam")
                },
                Row(name: "a moderator lifts a member's suspension", shown: { try await moderation(try #require(await core.accounts.find(id: park.id)), mod).unsuspend }) {
                    _ = try await core.accounts.setSuspended(actor: mod, target: park.id, suspended: false, reason: "")
                },
                Row(name: "an admin suspends a moderator", shown: { try await moderation(mod2, root).suspend }) {
                    _ = try await core.accounts.setSuspended(actor: root, target: mod2.id, suspended: true, reason: "left")
                },
                Row(name: "an admin changes their own role", shown: { try await moderation(root, root).changeRole }) {
                    _ = try await core.accounts.adminUpdate(actor: root, target: root.id, .init(role: .member))
                },
                Row(name: "a moderator changes a member's kind", shown: { try await moderation(lee, mod).changeKind }) {
                    _ = try await core.accounts.adminUpdate(actor: mod, target: lee.id, .init(kind: .official))
                },
                // Messenger
                Row(name: "a group's member renames it", shown: { leesGroup.permissions.rename }) {
                    _ = try await core.messenger.setTitle(actor: lee, conversationID: group.id, title: "mine now")
                },
                Row(name: "a group's admin renames it", shown: { kimsGroup.permissions.rename }) {
                    _ = try await core.messenger.setTitle(actor: kim, conversationID: group.id, title: "the team")
                },
                Row(name: "a group's member adds members", shown: { leesGroup.permissions.addMembers }) {
                    _ = try await core.messenger.addMembers(actor: lee, conversationID: group.id, usernames: ["mod"])
                },
                Row(name: "send to a member who then blocked you", shown: { try await core.messenger.conversation(id: direct.id, viewer: kim).permissions.send }) {
                    _ = try await core.messenger.send(sender: kim, conversationID: direct.id, text: "hello?")
                },
                Row(name: "edit another member's message", shown: { kimsGroup.messagePermissions(leeMessage).edit }) {
                    _ = try await core.messenger.edit(actor: kim, messageID: leeMessage.id, text: "changed")
                },
                Row(name: "edit one's own message", shown: { kimsGroup.messagePermissions(kimMessage).edit }) {
                    _ = try await core.messenger.edit(actor: kim, messageID: kimMessage.id, text: "edited")
                },
                Row(name: "delete another member's message", shown: { leesGroup.messagePermissions(kimMessage).delete }) {
                    try await core.messenger.delete(actor: lee, messageID: kimMessage.id)
                },
                // Newsgroups
                Row(name: "a member posts to a read-only group", shown: { try await newsgroup(announcements, kim).post }) {
                    _ = try await core.news.post(author: kim, ArticleDraft(newsgroups: [announcements.name], subject: "hi", body: "text"))
                },
                Row(name: "staff post to a read-only group", shown: { try await newsgroup(announcements, mod).post }) {
                    _ = try await core.news.post(author: mod, ArticleDraft(newsgroups: [announcements.name], subject: "news", body: "text"))
                },
                Row(name: "a member cancels another's article", shown: { try await article(leeArticle, in: open, kim).cancel }) {
                    try await core.news.cancel(actor: kim, articleID: leeArticle.id)
                },
                Row(name: "a group moderator cancels a crossposted article from another group", shown: { try await article(leeOther.article, in: open, kim).cancel }) {
                    try await core.news.cancel(actor: kim, articleID: leeOther.article.id)
                },
                Row(name: "a member approves a pending article", shown: { try await pending(leeQueued, lee).approve }) {
                    _ = try await core.news.decide(actor: lee, articleID: leeQueued.id, approve: true)
                },
                Row(name: "a group moderator approves a pending article", shown: { try await pending(leeQueued, kim).approve }) {
                    _ = try await core.news.decide(actor: kim, articleID: leeQueued.id, approve: true)
                },
            ]
            var answers: [Bool] = []
            for row in rows {
                let shown = try await row.shown()
                let allowed: Bool
                do { try await row.act(); allowed = true } catch is CoreError { allowed = false }
                #expect(shown == allowed, "\(row.name): shown \(shown), core \(allowed ? "allowed" : "refused") it")
                answers.append(shown)
            }
            // The answers themselves, so a rule cannot drift on both sides at once unnoticed.
            #expect(answers == [true, false, false, true, false, true, false, false, false, true,
                                          false, true, false, true, false, false, true, true, true, false, false,
                                          false, true, false, false, false, true, false,
                                          false, true, false, true, false, true])
            // A post to a moderated group waits, and the view said it would.
            #expect(try await newsgroup(moderated, lee).postWaitsForApproval)
            #expect(try await newsgroup(moderated, kim).postWaitsForApproval == false)
        }
    }

    /// One activity rule: a visitor past their expiry may neither sign in nor act, on every surface.
    @Test(arguments: TestEngine.all)
    func anExpiredVisitorMayNeitherSignInNorAct(engine: TestEngine) async throws {
        let (clock, time) = Clock.manual(startingAt: 1_750_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            let root = try await Self.account(core, "root", role: .admin)
            let lee = try await Self.account(core, "lee")
            var guest = try await Self.account(core, "guest", kind: .visitor)
            guest = try await core.accounts.adminUpdate(actor: root, target: guest.id, .init(expiresAt: .some(clock.nowMilliseconds() + 1000)))
            let status = try await core.feed.post(author: guest, .init(text: "still here")).status.id
            time.advance(milliseconds: 2000)
            await #expect(throws: CoreError(.forbidden, "account_expired")) {
                _ = try await core.accounts.authenticate(username: "guest", password: Self.password, address: "a")
            }
            #expect(throws: CoreError(.forbidden, "account_expired")) { try AccountService.ensureMayAct(guest, now: clock.nowMilliseconds()) }
            await #expect(throws: CoreError(.forbidden, "account_expired")) { _ = try await core.feed.post(author: guest, .init(text: "late")) }
            await #expect(throws: CoreError(.forbidden, "account_expired")) { _ = try await core.relationships.follow(guest, lee) }
            await #expect(throws: CoreError(.forbidden, "account_expired")) {
                _ = try await core.messenger.start(creator: guest, usernames: ["lee"])
            }
            let group = try await core.news.createGroup(actor: root, name: "starcon.general")
            await #expect(throws: CoreError(.forbidden, "account_expired")) {
                _ = try await core.news.post(author: guest, ArticleDraft(newsgroups: [group.name], subject: "hi", body: "text"))
            }
            #expect(try await core.news.view(of: group, viewer: guest).permissions.post == false)
            // Deleting one's own status is not acting on anyone: it stays allowed, and the view says so.
            #expect(try await core.feed.view(id: status, viewer: guest)?.permissions.delete == true)
        }
    }
}
