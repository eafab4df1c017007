import StarconCore
import Testing

@Suite("Moderation")
struct ModerationTests {
    static let password = "correct horse battery"

    struct People {
        let admin, moderator, kim, lee, park: Account
    }

    static func people(_ core: Core) async throws -> People {
        func make(_ name: String, _ role: Role = .member) async throws -> Account {
            var new = AccountService.NewAccount(username: name, password: password)
            new.role = role
            return try await core.accounts.create(new)
        }
        return People(admin: try await make("root", .admin), moderator: try await make("mod", .moderator), kim: try await make("kim"),
                      lee: try await make("lee"), park: try await make("park"))
    }

    /// A member reports a post they can see; a second report of it while open is the same report; nobody
    /// reports themself; only staff read the queue; a warning needs a text, reaches the author as a pending
    /// warning until acknowledged, tells the reporter, is audited, and the report cannot be decided twice.
    @Test(arguments: TestEngine.all)
    func reportQueueAndWarning(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let p = try await Self.people(core)
            let post = try await core.feed.post(author: p.lee, .init(text: "buy cheap watches")).status
            let report = try await core.reports.file(reporter: p.kim, .init(kind: .status, targetID: post.id, category: .spam, comment: "  ads  "))
            #expect(report.account?.id == p.lee.id && report.comment == "ads" && report.excerpt == "buy cheap watches" && report.state == .open)
            let again = try await core.reports.file(reporter: p.kim, .init(kind: .status, targetID: post.id, category: .abuse, comment: ""))
            #expect(again.id == report.id)
            await #expect(throws: CoreError.invalid("report_self")) {
                _ = try await core.reports.file(reporter: p.lee, .init(kind: .status, targetID: post.id, category: .spam, comment: ""))
            }
            await #expect(throws: CoreError.notFound) {
                _ = try await core.reports.file(reporter: p.kim, .init(kind: .status, targetID: 12345, category: .spam, comment: ""))
            }
            await #expect(throws: CoreError.forbidden) { _ = try await core.reports.list(actor: p.kim, state: .open) }
            let queue = try await core.reports.list(actor: p.moderator, state: .open)
            #expect(queue.map(\.report.id) == [report.id])
            #expect(ReportOutcome.allCases.allSatisfy { queue[0].permissions.allows($0) })
            await #expect(throws: CoreError.notFound) { try await core.reports.resolve(actor: p.kim, reportID: report.id, outcome: .dismiss) }
            await #expect(throws: CoreError.invalid("report_note_required", field: "note")) {
                try await core.reports.resolve(actor: p.moderator, reportID: report.id, outcome: .warn)
            }
            let resolved = try await core.reports.resolve(actor: p.moderator, reportID: report.id, outcome: .warn, note: "No advertising here.")
            #expect(resolved.state == .resolved && resolved.outcome == .warn && resolved.resolvedBy == p.moderator.id)
            await #expect(throws: CoreError.invalid("report_closed")) {
                try await core.reports.resolve(actor: p.moderator, reportID: report.id, outcome: .ban)
            }
            let warnings = try await core.accounts.pendingWarnings(of: p.lee)
            #expect(warnings.map(\.text) == ["No advertising here."])
            await #expect(throws: CoreError.notFound) { try await core.accounts.acknowledgeWarning(warnings[0].id, of: p.kim) }
            try await core.accounts.acknowledgeWarning(warnings[0].id, of: p.lee)
            #expect(try await core.accounts.pendingWarnings(of: p.lee).isEmpty)
            let told = try await core.notifications.list(for: p.kim)
            #expect(told.map(\.kind) == [.reportResolved] && told[0].reportOutcome == .warn)
            let audit = try await core.audit.list(actor: p.admin).map(\.action)
            #expect(audit.contains("report.create") && audit.contains("report.resolve") && audit.contains("account.warn"))
            #expect(try await core.reports.list(actor: p.moderator, state: .open).isEmpty)
        }
    }

    /// Limiting a member makes their public posts followers-only for everyone else, in timelines and by
    /// link, and they cannot be reposted; the member and their followers still see them.
    @Test(arguments: TestEngine.all)
    func limitedMembersReachOnlyFollowers(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let p = try await Self.people(core)
            _ = try await core.relationships.follow(p.kim, p.lee)
            let post = try await core.feed.post(author: p.lee, .init(text: "hello everyone")).status
            #expect(try await core.feed.view(id: post.id, viewer: p.park)?.permissions.repost == true)
            let report = try await core.reports.file(reporter: p.park, .init(kind: .account, targetID: p.lee.id, statusIDs: [post.id],
                                                                           category: .abuse, comment: ""))
            try await core.reports.resolve(actor: p.moderator, reportID: report.id, outcome: .limit)
            #expect(try await core.accounts.find(id: p.lee.id)?.limited == true)
            #expect(try await core.feed.view(id: post.id, viewer: p.park) == nil)
            #expect(try await core.feed.timeline(.network, viewer: p.park).items.allSatisfy { $0.status.author.id != p.lee.id })
            #expect(try await core.feed.timeline(.account(p.lee.id), viewer: p.park).items.isEmpty)
            let followerView = try #require(try await core.feed.view(id: post.id, viewer: p.kim))
            #expect(followerView.permissions.repost == false)
            #expect(try await core.feed.view(id: post.id, viewer: p.lee) != nil)
            await #expect(throws: CoreError.forbidden) { try await core.accounts.unlimit(actor: p.kim, target: p.lee.id) }
            try await core.accounts.unlimit(actor: p.moderator, target: p.lee.id)
            #expect(try await core.feed.view(id: post.id, viewer: p.park) != nil)
        }
    }

    /// A suspension for some days ends the member's sessions at once and is lifted by the job once its
    /// time has come, not before; a ban stays. Moderators cannot act on staff through a report.
    @Test(arguments: TestEngine.all)
    func timedSuspensionEndsByItself(engine: TestEngine) async throws {
        let (clock, time) = Clock.manual(startingAt: 1_750_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            let p = try await Self.people(core)
            let (token, _) = try await core.sessions.start(for: p.lee, userAgent: "test", address: "a")
            let post = try await core.feed.post(author: p.lee, .init(text: "spam spam")).status
            let report = try await core.reports.file(reporter: p.kim, .init(kind: .status, targetID: post.id, category: .spam, comment: ""))
            await #expect(throws: CoreError.invalid("moderation_days", field: "days")) {
                try await core.reports.resolve(actor: p.moderator, reportID: report.id, outcome: .suspend)
            }
            await #expect(throws: CoreError.invalid("moderation_days", field: "days")) {
                try await core.reports.resolve(actor: p.moderator, reportID: report.id, outcome: .suspend, days: 0)
            }
            try await core.reports.resolve(actor: p.moderator, reportID: report.id, outcome: .suspend, note: "cool off", days: 2)
            let suspended = try #require(try await core.accounts.find(id: p.lee.id))
            #expect(suspended.status == .suspended && suspended.statusReason == "cool off"
                    && suspended.suspendedUntil == clock.nowMilliseconds() + 2 * 86_400_000)
            #expect(try await core.sessions.resolve(token: token, address: "a") == nil)
            time.advance(milliseconds: 86_400_000)
            #expect(try await core.accounts.endSuspensions().isEmpty)
            time.advance(milliseconds: 86_400_001)
            #expect(try await core.accounts.endSuspensions().map(\.id) == [p.lee.id])
            let back = try #require(try await core.accounts.find(id: p.lee.id))
            #expect(back.status == .active && back.suspendedUntil == nil)
            _ = try await core.accounts.authenticate(username: "lee", password: Self.password, address: "b")

            _ = try await core.accounts.suspend(actor: p.moderator, target: p.park.id, reason: "first", days: 1)
            let banned = try await core.accounts.setSuspended(actor: p.moderator, target: p.park.id, suspended: true, reason: "ban")
            #expect(banned.status == .suspended && banned.suspendedUntil == nil && banned.statusReason == "ban")
            time.advance(milliseconds: 10 * 86_400_000)
            #expect(try await core.accounts.endSuspensions().isEmpty)

            let staffPost = try await core.feed.post(author: p.admin, .init(text: "rules")).status
            let aboutStaff = try await core.reports.file(reporter: p.kim, .init(kind: .status, targetID: staffPost.id, category: .other, comment: ""))
            let may = try await core.reports.get(aboutStaff.id, viewer: p.moderator).permissions
            #expect(may.dismiss && may.delete && !may.warn && !may.suspend && !may.ban)
            await #expect(throws: CoreError.forbidden) { try await core.reports.resolve(actor: p.moderator, reportID: aboutStaff.id, outcome: .ban) }
            try await core.reports.resolve(actor: p.moderator, reportID: aboutStaff.id, outcome: .delete)
            #expect(try await core.feed.view(id: staffPost.id, viewer: p.admin) == nil)
        }
    }

    /// A visitor's pass runs out: the job suspends them with the pass's reason; admins see it among the
    /// passes ending soon, and extending it lets the visitor back in. Only admins set passes.
    @Test(arguments: TestEngine.all)
    func expiredVisitorsAreSuspendedUntilExtended(engine: TestEngine) async throws {
        let (clock, time) = Clock.manual(startingAt: 1_750_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            let p = try await Self.people(core)
            var new = AccountService.NewAccount(username: "guest", password: Self.password)
            new.kind = .visitor
            let guest = try await core.accounts.create(new)
            await #expect(throws: CoreError.forbidden) { _ = try await core.accounts.setExpiry(actor: p.moderator, target: guest.id, days: 3) }
            await #expect(throws: CoreError.invalid("moderation_days", field: "expires_days")) {
                _ = try await core.accounts.setExpiry(actor: p.admin, target: guest.id, days: 0)
            }
            _ = try await core.accounts.setExpiry(actor: p.admin, target: guest.id, days: 3)
            #expect(try await core.accounts.expiringSoon(actor: p.admin).map(\.id) == [guest.id])
            #expect(try await core.accounts.suspendExpired().isEmpty)
            time.advance(milliseconds: 3 * 86_400_000 + 1)
            #expect(try await core.accounts.suspendExpired().map(\.id) == [guest.id])
            let expired = try #require(try await core.accounts.find(id: guest.id))
            #expect(expired.status == .suspended && expired.statusReason == AccountService.visitorExpiredReason)
            #expect(try await core.accounts.expiringSoon(actor: p.admin).map(\.id) == [guest.id])
            _ = try await core.accounts.setExpiry(actor: p.admin, target: guest.id, days: 30)
            let extended = try #require(try await core.accounts.find(id: guest.id))
            #expect(extended.status == .active && extended.expiresAt == clock.nowMilliseconds() + 30 * 86_400_000)
            _ = try await core.accounts.authenticate(username: "guest", password: Self.password, address: "a")
            // A suspension for another reason is not lifted by a new pass.
            _ = try await core.accounts.setSuspended(actor: p.admin, target: guest.id, suspended: true, reason: "abuse")
            _ = try await core.accounts.setExpiry(actor: p.admin, target: guest.id, days: 60)
            #expect(try await core.accounts.find(id: guest.id)?.status == .suspended)
        }
    }

    /// Messages and articles are reported by those who can read them; deleting a reported message removes
    /// it from the conversation.
    @Test(arguments: TestEngine.all)
    func messagesAndArticlesAreReportedAndDeleted(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let p = try await Self.people(core)
            let conversation = try await core.messenger.start(creator: p.kim, usernames: ["lee"]).conversation
            let message = try await core.messenger.send(sender: p.lee, conversationID: conversation.id, text: "you will regret this").message
            await #expect(throws: CoreError.notFound) {
                _ = try await core.reports.file(reporter: p.park, .init(kind: .message, targetID: message.id, category: .abuse, comment: ""))
            }
            let report = try await core.reports.file(reporter: p.kim, .init(kind: .message, targetID: message.id, category: .abuse, comment: "threat"))
            #expect(report.account?.id == p.lee.id && report.excerpt == "you will regret this")
            #expect(try await core.reports.get(report.id, viewer: p.moderator).permissions.delete)
            try await core.reports.resolve(actor: p.moderator, reportID: report.id, outcome: .delete)
            await #expect(throws: CoreError.notFound) { _ = try await core.messenger.message(id: message.id, viewer: p.kim) }

            _ = try await core.news.createGroup(actor: p.admin, name: "starcon.general")
            let article = try await core.news.post(author: p.lee, .init(newsgroups: ["starcon.general"], subject: "Buy now", body: "cheap")).article
            let aboutArticle = try await core.reports.file(reporter: p.park, .init(kind: .article, targetID: article.id, category: .spam, comment: ""))
            #expect(aboutArticle.account?.id == p.lee.id && aboutArticle.excerpt.hasPrefix("Buy now"))
            try await core.reports.resolve(actor: p.moderator, reportID: aboutArticle.id, outcome: .delete)
            #expect(try await core.news.article(id: article.id)?.status == .cancelled)

            // A mail: reported by whoever holds it; about its sender when the sender is a member here.
            let raw = Array("From: Lee <lee@\(core.mail.domain)>\r\nTo: kim@\(core.mail.domain)\r\nSubject: Prize\r\n\r\nYou won.\r\n".utf8)
            let mailID = try #require(try await core.mail.deliver(raw, to: [p.kim.id]))
            await #expect(throws: CoreError.notFound) {
                _ = try await core.reports.file(reporter: p.park, .init(kind: .mail, targetID: mailID, category: .spam, comment: ""))
            }
            let aboutMail = try await core.reports.file(reporter: p.kim, .init(kind: .mail, targetID: mailID, category: .spam, comment: ""))
            #expect(aboutMail.account?.id == p.lee.id && aboutMail.excerpt.contains("Subject: Prize"))
            let may = try await core.reports.get(aboutMail.id, viewer: p.moderator).permissions
            #expect(!may.delete && may.warn)
        }
    }
}
