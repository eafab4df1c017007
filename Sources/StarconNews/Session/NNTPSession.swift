import Logging
import StarconCore
import StarconMIME

/// One reader's conversation: who is signed in, which group and article are current. Turns each command
/// into core calls and replies; knows nothing about sockets.
public final class NNTPSession {
    public enum Next: Equatable {
        case carryOn
        /// The client may now send the article's lines.
        case receiveArticle
        /// Start TLS now, after the 382 (RFC 4642 §2.2.2).
        case startTLS
        case close
    }

    let core: Core
    let peerAddress: String
    private(set) var member: Account?
    /// How the member signed in (which app password), for `credentialsStillValid` after a revocation.
    private(set) var signIn: ClientSignIn?
    private var pendingUser: String?
    private var authFailures = 0
    private var group: Newsgroup?
    private var current: Int64?

    /// Whether STARTTLS may be offered (a certificate is configured), and whether this connection is
    /// encrypted already.
    let tlsAvailable: Bool
    private(set) var secure = false

    public init(core: Core, peerAddress: String, tlsAvailable: Bool = false) {
        self.core = core
        self.peerAddress = peerAddress
        self.tlsAvailable = tlsAvailable
    }

    public var greeting: NNTPResponse { NNTPResponse(200, "\(core.news.domain) Starcon NNTP service ready, posting allowed") }

    /// Handles one command line.
    public func handle(line: Substring) async -> (NNTPResponse, Next) {
        let now = core.clock.nowMilliseconds()
        switch NNTPCommandParser.parse(line, now: now) {
        case .failure(.unknownCommand): return (.unknownCommand, .carryOn)
        case .failure(.syntax(let detail)): return (.syntaxError(detail), .carryOn)
        case .success(let command):
            do {
                return try await handle(command, now: now)
            } catch let error as CoreError {
                return (Self.reply(to: error), .carryOn)
            } catch {
                return (.internalFault, .carryOn)
            }
        }
    }

    static func reply(to error: CoreError) -> NNTPResponse {
        switch error.kind {
        case .forbidden where error.key == "account_suspended": NNTPResponse(502, "Account suspended")
        case .forbidden, .unauthenticated: NNTPResponse(480, "Authentication required")
        default: NNTPResponse(403, "Internal fault")
        }
    }

    private func handle(_ command: NNTPCommand, now: Int64) async throws -> (NNTPResponse, Next) {
        switch command {
        case .capabilities: return (capabilities(), .carryOn)
        case .modeReader: return (NNTPResponse(200, "Reader mode, posting allowed"), .carryOn)
        case .quit: return (NNTPResponse(205, "Bye"), .close)
        case .startTLS:
            // RFC 4642 §2.2.2: not after TLS or authentication (both would be in the clear before it).
            guard tlsAvailable, !secure, member == nil else { return (NNTPResponse(502, "STARTTLS not available"), .carryOn) }
            secure = true
            pendingUser = nil
            return (NNTPResponse(382, "Continue with TLS negotiation"), .startTLS)
        case .date: return (NNTPResponse(111, CivilTime(milliseconds: now).compact), .carryOn)
        case .help: return (NNTPResponse(100, "Help text follows", lines: Self.helpLines), .carryOn)
        case .authinfoUser(let user): return (authinfoUser(user), .carryOn)
        case .authinfoPass(let password): return try await authinfoPass(password)
        default: break
        }
        guard let member = try await signedInMember(now: now) else {
            return (.authenticationRequired, .carryOn)
        }
        switch command {
        case .list(let keyword): return (try await list(keyword, member: member), .carryOn)
        case .group(let name): return (try await selectGroup(name), .carryOn)
        case .listGroup(let name, let range): return (try await listGroup(name, range), .carryOn)
        case .next: return (try await step(forward: true), .carryOn)
        case .last: return (try await step(forward: false), .carryOn)
        case .article(let selector): return (try await retrieve(selector, code: 220, head: true, body: true), .carryOn)
        case .head(let selector): return (try await retrieve(selector, code: 221, head: true, body: false), .carryOn)
        case .body(let selector): return (try await retrieve(selector, code: 222, head: false, body: true), .carryOn)
        case .stat(let selector): return (try await retrieve(selector, code: 223, head: false, body: false), .carryOn)
        case .over(let selector): return (try await over(selector), .carryOn)
        case .hdr(let field, let selector, let legacy): return (try await hdr(field, selector, legacy: legacy), .carryOn)
        case .newGroups(let since): return (try await newGroups(since, member: member), .carryOn)
        case .newNews(let wildmat, let since): return (try await newNews(wildmat, since), .carryOn)
        case .post:
            // The core's activity rule (`AccountService.mayAct`), so a reader is told before sending an article.
            guard AccountService.mayAct(member, now: core.clock.nowMilliseconds()) else { return (NNTPResponse(440, "Posting not permitted"), .carryOn) }
            return (NNTPResponse(340, "Send article to be posted. End with <CR-LF>.<CR-LF>"), .receiveArticle)
        default: return (.unknownCommand, .carryOn)
        }
    }

    /// The signed-in member. A suspension or a password change ends the connection itself (the server
    /// listens for the member's `accountEnded` event), so there is nothing to re-check here.
    private func signedInMember(now: Int64) async throws -> Account? { member }

    /// Who is signed in on this connection, for the server's subscription to their events.
    public var memberID: Int64? { member?.id }

    // MARK: Capabilities and authentication

    private func capabilities() -> NNTPResponse {
        var lines = ["VERSION 2", "IMPLEMENTATION Starcon", "READER", "POST", "NEWNEWS",
                     "LIST ACTIVE NEWSGROUPS OVERVIEW.FMT ACTIVE.TIMES HEADERS", "OVER MSGID", "HDR"]
        if member == nil { lines.append("AUTHINFO USER") }
        if tlsAvailable && !secure && member == nil { lines.append("STARTTLS") }
        return NNTPResponse(101, "Capability list:", lines: lines)
    }

    private func authinfoUser(_ user: String) -> NNTPResponse {
        guard member == nil else { return NNTPResponse(502, "Already authenticated") }
        pendingUser = user
        return NNTPResponse(381, "Password required")
    }

    private func authinfoPass(_ password: String) async throws -> (NNTPResponse, Next) {
        guard member == nil else { return (NNTPResponse(502, "Already authenticated"), .carryOn) }
        guard let user = pendingUser else { return (NNTPResponse(482, "Authentication commands issued out of sequence"), .carryOn) }
        pendingUser = nil
        do {
            let signIn = try await core.signIn.client(username: user, password: password, address: peerAddress, surface: .nntp)
            self.signIn = signIn
            member = signIn.account
            return (NNTPResponse(281, "Authentication accepted"), .carryOn)
        } catch let error as CoreError {
            authFailures += 1
            let next: Next = authFailures >= NNTPLimits.maxAuthFailures ? .close : .carryOn
            switch error.kind {
            case .throttled: return (NNTPResponse(481, "Too many failed attempts, try again later"), next)
            default: return (NNTPResponse(481, SignInService.protocolRefusal(error) ?? "Authentication failed"), next)
            }
        }
    }

    // MARK: Groups

    /// A LIST ACTIVE or NEWGROUPS line: the status letter says what this member may do (RFC 3977 §7.6.3:
    /// `y` posting permitted, `m` moderated, `n` not permitted), the core's `NewsgroupPermissions`.
    static func activeLine(_ view: NewsgroupView) -> String {
        let status = !view.permissions.post ? "n" : view.permissions.postWaitsForApproval ? "m" : "y"
        return "\(view.group.name) \(view.group.high) \(view.group.low) \(status)"
    }

    private func list(_ keyword: NNTPCommand.ListKeyword, member: Account) async throws -> NNTPResponse {
        switch keyword {
        case .active(let wildmat):
            let groups = try await core.news.groups().filter { wildmat?.matches($0.name) ?? true }
            return NNTPResponse(215, "List of newsgroups follows", lines: try await core.news.views(of: groups, viewer: member).map(Self.activeLine))
        case .newsgroups(let wildmat):
            let groups = try await core.news.groups().filter { wildmat?.matches($0.name) ?? true }
            return NNTPResponse(215, "List of newsgroups follows", lines: groups.map { "\($0.name)\t\(ArticleFormatter.oneLine($0.description))" })
        case .activeTimes(let wildmat):
            let groups = try await core.news.groups().filter { wildmat?.matches($0.name) ?? true }
            return NNTPResponse(215, "List of newsgroups follows", lines: groups.map { "\($0.name) \($0.createdAt / 1000) \($0.createdBy)" })
        case .overviewFormat:
            return NNTPResponse(215, "Order of fields in overview database", lines: Self.overviewFormat)
        case .headers:
            return NNTPResponse(215, "Headers and metadata items supported", lines: [":", ":bytes", ":lines"])
        }
    }

    static let overviewFormat = ["Subject:", "From:", "Date:", "Message-ID:", "References:", ":bytes", ":lines", "Xref:full"]

    private func findGroup(_ name: String) async throws -> Newsgroup? {
        try await core.news.group(named: name)
    }

    private func selectGroup(_ name: String) async throws -> NNTPResponse {
        guard let found = try await findGroup(name) else { return .noSuchGroup }
        group = found
        current = found.articleCount > 0 ? found.low : nil
        return NNTPResponse(211, "\(found.articleCount) \(found.low) \(found.high) \(found.name)")
    }

    private func listGroup(_ name: String?, _ range: ArticleRange?) async throws -> NNTPResponse {
        let selected: Newsgroup
        if let name {
            guard let found = try await findGroup(name) else { return .noSuchGroup }
            selected = found
        } else {
            guard let currentGroup = group, let refreshed = try await findGroup(currentGroup.name) else { return .noGroupSelected }
            selected = refreshed
        }
        group = selected
        current = selected.articleCount > 0 ? selected.low : nil
        let low = range?.low ?? selected.low
        let high = range?.high ?? selected.high
        let numbers = try await core.news.numbers(in: selected, from: low, to: high, limit: NNTPLimits.maxRangeItems)
        return NNTPResponse(211, "\(selected.articleCount) \(selected.low) \(selected.high) \(selected.name) list follows",
                            lines: numbers.map(String.init))
    }

    private func step(forward: Bool) async throws -> NNTPResponse {
        guard let group else { return .noGroupSelected }
        guard let current else { return .noCurrentArticle }
        guard let number = try await core.news.adjacentNumber(in: group, from: current, forward: forward),
              let found = try await core.news.article(in: group, number: number) else {
            return forward ? NNTPResponse(421, "No next article in this group") : NNTPResponse(422, "No previous article in this group")
        }
        self.current = number
        return NNTPResponse(223, "\(number) \(found.article.messageID) Article found")
    }

    // MARK: Articles

    private func retrieve(_ selector: ArticleSelector, code: Int, head: Bool, body: Bool) async throws -> NNTPResponse {
        let number: Int64
        let article: Article
        let xref: [(group: String, number: Int64)]
        switch selector {
        case .messageID(let id):
            guard let found = try await core.news.article(messageID: id) else { return .noSuchMessageID }
            number = 0
            article = found
            xref = try await core.news.xref(articleID: found.id)
        case .number(let requested):
            guard let group else { return .noGroupSelected }
            guard let found = try await core.news.article(in: group, number: requested) else { return .noSuchNumber }
            current = requested
            (number, article, xref) = (requested, found.article, found.xref)
        case .current:
            guard let group else { return .noGroupSelected }
            guard let currentNumber = current, let found = try await core.news.article(in: group, number: currentNumber) else {
                return .noCurrentArticle
            }
            (number, article, xref) = (currentNumber, found.article, found.xref)
        }
        var lines: [String]?
        if head {
            lines = ArticleFormatter.headers(article, xref: xref, domain: core.news.domain)
            if body { lines?.append("") }
        }
        let what = head && body ? "Article follows" : head ? "Headers follow" : body ? "Body follows" : "Article exists"
        // The body goes out as stored, line by line, without a string per line.
        return NNTPResponse(code, "\(number) \(article.messageID) \(what)", lines: lines, trailingText: body ? article.body : nil)
    }

    // MARK: Overview

    private func overviewEntries(_ selector: NNTPCommand.OverSelector?) async throws -> Result<[OverviewEntry], NNTPResponse> {
        switch selector {
        case .messageID(let id):
            guard let article = try await core.news.article(messageID: id) else { return .failure(.noSuchMessageID) }
            return .success([OverviewEntry(article: article)])
        case .range(let range):
            guard let group else { return .failure(.noGroupSelected) }
            let entries = try await core.news.overview(in: group, from: range.low, to: range.high ?? Int64.max, limit: NNTPLimits.maxRangeItems)
            return entries.isEmpty ? .failure(.emptyRange) : .success(entries)
        case nil:
            guard let group else { return .failure(.noGroupSelected) }
            guard let current else { return .failure(.noCurrentArticle) }
            let entries = try await core.news.overview(in: group, from: current, to: current, limit: 1)
            return entries.isEmpty ? .failure(.noCurrentArticle) : .success(entries)
        }
    }

    private func over(_ selector: NNTPCommand.OverSelector?) async throws -> NNTPResponse {
        let lines: [String]
        switch selector {
        case .messageID(let id):
            guard let line = try await core.news.overviewLine(messageID: id) else { return .noSuchMessageID }
            lines = [line]
        case .range(let range):
            guard let group else { return .noGroupSelected }
            lines = try await core.news.overviewLines(in: group, from: range.low, to: range.high ?? Int64.max, limit: NNTPLimits.maxRangeItems)
            if lines.isEmpty { return .emptyRange }
        case nil:
            guard let group else { return .noGroupSelected }
            guard let current else { return .noCurrentArticle }
            lines = try await core.news.overviewLines(in: group, from: current, to: current, limit: 1)
            if lines.isEmpty { return .noCurrentArticle }
        }
        return NNTPResponse(224, "Overview information follows", lines: lines)
    }

    private func xrefField(_ entry: OverviewEntry) async throws -> String {
        let places: [(group: String, number: Int64)]
        if entry.newsgroups.utf8.contains(UInt8(ascii: ",")) || entry.number == 0 {
            places = try await core.news.xref(articleID: entry.articleID)
        } else {
            places = [(group?.name ?? entry.newsgroups, entry.number)]
        }
        return core.news.domain + " " + places.map { "\($0.group):\($0.number)" }.joined(separator: " ")
    }

    private func hdr(_ field: String, _ selector: NNTPCommand.OverSelector?, legacy: Bool) async throws -> NNTPResponse {
        switch try await overviewEntries(selector) {
        case .failure(let response): return response
        case .success(let entries):
            var lines: [String] = []
            for entry in entries {
                lines.append("\(entry.number) \(ArticleFormatter.oneLine(try await headerValue(field, entry) ?? ""))")
            }
            return NNTPResponse(legacy ? 221 : 225, "Headers follow", lines: lines)
        }
    }

    private func headerValue(_ field: String, _ entry: OverviewEntry) async throws -> String? {
        switch field.lowercased() {
        case "subject": return EncodedWords.encode(entry.subject)
        case "from": return entry.fromHeader
        case "date": return RFC5322Date.format(entry.postedAt)
        case "message-id": return entry.messageID
        case "references": return entry.references
        case "newsgroups": return entry.newsgroups
        case ":bytes", "bytes": return String(entry.bytes)
        case ":lines", "lines": return String(entry.lines)
        case "xref": return try await xrefField(entry)
        default:
            guard let article = try await core.news.article(id: entry.articleID) else { return nil }
            let prefix = field.lowercased() + ":"
            return ArticleFormatter.headers(article, xref: [], domain: core.news.domain)
                .first { $0.lowercased().hasPrefix(prefix) }
                .map { String($0.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces) }
        }
    }

    private func newGroups(_ since: NNTPDateTime, member: Account) async throws -> NNTPResponse {
        let groups = try await core.news.groups(createdSince: since.millisecondsSince1970)
        return NNTPResponse(231, "List of new newsgroups follows", lines: try await core.news.views(of: groups, viewer: member).map(Self.activeLine))
    }

    private func newNews(_ wildmat: Wildmat, _ since: NNTPDateTime) async throws -> NNTPResponse {
        let ids = try await core.news.messageIDs(postedSince: since.millisecondsSince1970, inGroups: { wildmat.matches($0) },
                                                 limit: NNTPLimits.maxRangeItems)
        return NNTPResponse(230, "List of new articles follows", lines: ids)
    }

    // MARK: Posting

    /// Finishes a POST with the article's lines (un-dot-stuffed), or the reason it was cut short.
    public func post(lines: [[UInt8]], truncated: Bool) async -> NNTPResponse {
        guard !truncated else { return NNTPResponse(441, "Article too large or a line too long") }
        guard let member = try? await signedInMember(now: core.clock.nowMilliseconds()) else { return .authenticationRequired }
        if let target = PostedArticle.cancelTarget(lines) { return await cancel(target, by: member) }
        switch PostedArticle.parse(lines) {
        case .failure(let rejection):
            return NNTPResponse(441, rejection.reason)
        case .success(let draft):
            do {
                switch try await core.news.post(author: member, draft) {
                case .published(let article): return NNTPResponse(240, "Article received \(article.messageID)")
                case .queued(let article): return NNTPResponse(240, "Article received \(article.messageID), waiting for a moderator")
                }
            } catch let error as CoreError {
                return NNTPResponse(441, Self.postingFailure(error))
            } catch {
                return NNTPResponse(441, "Posting failed")
            }
        }
    }

    /// A cancel control message: the core's rule for cancelling (`ArticlePermissions.cancel`, the web's
    /// cancel button), the article's author or a moderator of one of its groups.
    private func cancel(_ messageID: String, by member: Account) async -> NNTPResponse {
        guard ArticleIDs.isValid(messageID) else { return NNTPResponse(441, "Malformed Message-ID") }
        do {
            guard let article = try await core.news.article(messageID: messageID) else { return NNTPResponse(441, "No such article") }
            try await core.news.cancel(actor: member, articleID: article.id)
            return NNTPResponse(240, "Article \(messageID) cancelled")
        } catch let error as CoreError where error.kind == .forbidden {
            return NNTPResponse(441, "Cancel not permitted")
        } catch {
            return NNTPResponse(441, "Cancel failed")
        }
    }

    static func postingFailure(_ error: CoreError) -> String {
        switch error.key {
        case "group_unknown": "No such newsgroup"
        case "group_readonly": "Posting to this newsgroup is not permitted"
        case "groups_too_many": "Too many newsgroups"
        case "subject_empty": "Empty Subject"
        case "subject_long": "Subject too long"
        case "body_empty": "Empty article body"
        case "body_long": "Article too large"
        case "message_id_taken": "Duplicate Message-ID"
        case "message_id_invalid": "Malformed Message-ID"
        case "account_suspended": "Account suspended"
        case "account_expired": "Account expired"
        default: "Posting failed"
        }
    }

    static let helpLines = [
        "ARTICLE [message-id|number]", "AUTHINFO USER name", "AUTHINFO PASS password", "BODY [message-id|number]",
        "CAPABILITIES", "DATE", "GROUP newsgroup", "HDR field [message-id|range]", "HEAD [message-id|number]", "HELP",
        "LAST", "LIST [ACTIVE|NEWSGROUPS|ACTIVE.TIMES [wildmat]|OVERVIEW.FMT|HEADERS]", "LISTGROUP [newsgroup [range]]",
        "MODE READER", "NEWGROUPS [yy]yymmdd hhmmss [GMT]", "NEWNEWS wildmat [yy]yymmdd hhmmss [GMT]", "NEXT",
        "OVER [range|message-id]", "POST", "QUIT", "STAT [message-id|number]", "XHDR field [range]", "XOVER [range]",
    ]
}

import Foundation
