import Foundation
import Hummingbird
import StarconCore

/// Newsgroups on the web: the group list, a group's threads, a thread as a tree, posting, replying with
/// quotes, cancelling, moderation queues and group settings. The same core as NNTP, so a post made in a
/// newsreader shows here at once and the other way round.
struct NewsRoutes {
    let web: WebServices
    static let threadsPerPage = 30

    func add(to router: Router<WebContext>) {
        router.get("/newsgroups") { _, context in try await groupList(context) }
        router.post("/newsgroups") { request, context in try await createGroup(request, context) }
        router.get("/newsgroups/{group}") { request, context in try await threadList(request, context) }
        router.post("/newsgroups/{group}/post") { request, context in try await postThread(request, context) }
        router.post("/newsgroups/{group}/subscribe") { request, context in try await subscribe(request, context) }
        router.post("/newsgroups/{group}/read") { request, context in try await markGroupRead(request, context) }
        router.post("/newsgroups/{group}/settings") { request, context in try await saveSettings(request, context) }
        router.get("/newsgroups/{group}/threads/{thread}") { _, context in try await threadPage(context) }
        router.get("/newsgroups/{group}/articles/{number}") { _, context in try await articleRedirect(context) }
        router.get("/newsgroups/{group}/articles/{number}/reply") { _, context in try await replyPage(context) }
        router.post("/newsgroups/{group}/articles/{number}/reply") { request, context in try await reply(request, context) }
        router.post("/newsgroups/{group}/articles/{number}/cancel") { request, context in try await cancel(request, context) }
        router.get("/newsgroups/{group}/queue") { _, context in try await queue(context) }
        router.post("/newsgroups/{group}/queue/{article}") { request, context in try await decide(request, context) }
    }

    // MARK: Helpers

    private func group(_ context: WebContext) async throws -> Newsgroup {
        let name = (context.parameters.get("group") ?? "").removingPercentEncoding ?? ""
        guard let group = try await web.core.news.group(named: name) else { throw PageError.notFound }
        return group
    }

    private func number(_ context: WebContext, _ key: String) throws -> Int64 {
        guard let value = context.parameters.get(key, as: Int64.self) else { throw PageError.notFound }
        return value
    }

    private func page(_ template: String, title: String, _ context: WebContext, data: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        web.renderer.page(template, title: title, section: .newsgroups, data: data, context: context, status: status)
    }

    private func groupPath(_ group: Newsgroup) -> String { "/newsgroups/\(group.name)" }

    // MARK: Group list

    private func groupList(_ context: WebContext, error: String? = nil, values: [String: String] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let summaries = try await web.core.news.summaries(for: member)
        var hierarchies: [(String, [[String: Any]])] = []
        for summary in summaries {
            let top = String(summary.group.name.split(separator: ".").first ?? "")
            let row: [String: Any] = [
                "name": summary.group.name, "description": summary.group.description, "subscribed": summary.subscribed,
                "articles": t.plural("news_article_count", count: summary.group.articleCount, formatter: formatter),
                "unread": summary.unread > 0 ? t.plural("news_unread_count", count: summary.unread, formatter: formatter) : "",
                "posting_label": summary.group.posting == .open ? "" : t.text("news_posting_\(summary.group.posting.rawValue)"),
            ]
            if let index = hierarchies.firstIndex(where: { $0.0 == top }) {
                hierarchies[index].1.append(row)
            } else {
                hierarchies.append((top, [row]))
            }
        }
        let subscribedFirst = summaries.filter(\.subscribed).map { ["name": $0.group.name, "unread": $0.unread] as [String: Any] }
        return page("news_groups", title: t.text("newsgroups_title"), context, data: [
            "hierarchies": hierarchies.map { ["name": $0.0, "groups": $0.1] as [String: Any] },
            "subscriptions": subscribedFirst,
            "can_create": Permissions.instance(member).manageGroups,
            "policies": PostingPolicy.allCases.map { ["value": $0.rawValue, "label": t.text("news_posting_\($0.rawValue)"), "selected": $0.rawValue == (values["posting"] ?? "open")] },
            "values": values, "error": error as Any,
        ], status: status)
    }

    private func createGroup(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        let values = ["name": form.text("name"), "description": form.text("description"), "posting": form.text("posting")]
        return try await web.handlingFormErrors(context) {
            let group = try await web.core.news.createGroup(
                actor: member, name: form.text("name"), description: form.text("description"),
                posting: PostingPolicy(rawValue: form.text("posting")) ?? .open)
            return web.redirect(groupPath(group), flash: Flash("news_group_created"))
        } onError: { error, message in
            try await groupList(context, error: message, values: values, status: error.httpStatus)
        }
    }

    // MARK: A group's threads

    private func threadList(_ request: Request, _ context: WebContext, error: String? = nil, values: [String: String] = [:],
                            status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let group = try await group(context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let before = request.uri.queryParameters["before"].flatMap { Int64(String($0)) }
        let after = request.uri.queryParameters["after"].flatMap { Int64(String($0)) }
        let threads = try await web.core.news.threads(in: group, for: member, before: before, after: after, limit: Self.threadsPerPage)
        let full = threads.count == Self.threadsPerPage
        let may = try await web.core.news.view(of: group, viewer: member).permissions
        let subscribed = try await web.core.news.isSubscribed(member, to: group)
        let pending = may.moderate ? try await web.core.news.pending(actor: member, in: group).count : 0
        return page("news_group", title: group.name, context, data: [
            "group": ["name": group.name, "description": group.description, "path": groupPath(group)],
            "threads": threads.map { thread -> [String: Any] in
                [
                    "path": "\(groupPath(group))/threads/\(thread.threadID)",
                    "subject": thread.subject, "author": thread.authorName,
                    "replies": t.plural("news_reply_count", count: thread.articleCount - 1, formatter: formatter),
                    "last": formatter.dateTime(thread.lastPostedAt),
                    "unread": thread.unread > 0 ? t.plural("news_unread_count", count: thread.unread, formatter: formatter) : "",
                ]
            },
            "older": (full || after != nil) ? threads.last.map { "\(groupPath(group))?before=\($0.lastNumber)" } ?? "" : "",
            // Back towards the newest threads: the page just newer than this one.
            "newer": before != nil || (after != nil && full) ? threads.first.map { "\(groupPath(group))?after=\($0.lastNumber)" } ?? groupPath(group) : "",
            "subscribed": subscribed,
            "may_post": may.post,
            "posting_note": may.postWaitsForApproval ? t.text("news_moderated_note")
                : (!may.post && group.posting == .readonly ? t.text("news_readonly_note") : ""),
            "moderates": may.moderate,
            "pending": pending > 0 ? t.plural("news_pending_count", count: pending, formatter: formatter) : "",
            "may_configure": may.configure,
            "policies": PostingPolicy.allCases.map { ["value": $0.rawValue, "label": t.text("news_posting_\($0.rawValue)"), "selected": $0 == group.posting] },
            "moderators": may.configure ? try await web.core.news.moderators(of: group).joined(separator: " ") : "",
            "values": values, "error": error as Any,
        ], status: status)
    }

    private func postThread(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        let group = try await group(context)
        let values = ["subject": form.text("subject"), "body": form.text("body")]
        return try await web.handlingFormErrors(context) {
            let outcome = try await web.core.news.post(author: member, ArticleDraft(
                newsgroups: [group.name], subject: form.text("subject"), body: form.text("body"),
                extraHeaders: ["User-Agent: Starcon web"]))
            return posted(outcome, group: group)
        } onError: { error, message in
            try await threadList(request, context, error: message, values: values, status: error.httpStatus)
        }
    }

    private func posted(_ outcome: NewsService.PostOutcome, group: Newsgroup) -> Response {
        switch outcome {
        case .published(let article):
            return web.redirect("\(groupPath(group))/threads/\(article.threadID)#a\(article.id)", flash: Flash("news_posted"))
        case .queued:
            return web.redirect(groupPath(group), flash: Flash("news_queued"))
        }
    }

    private func subscribe(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        let group = try await group(context)
        try await web.core.news.setSubscribed(member, group: group, form.text("subscribe") == "1")
        return WebServices.redirect(WebServices.safeLocalPath(form["return_to"]) ?? groupPath(group))
    }

    private func markGroupRead(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        _ = try await web.form(request, context)
        let group = try await group(context)
        try await web.core.news.markGroupRead(member, group: group)
        return WebServices.redirect(groupPath(group))
    }

    private func saveSettings(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.staff(context)
        let form = try await web.form(request, context)
        let group = try await group(context)
        return try await web.handlingFormErrors(context) {
            _ = try await web.core.news.updateGroup(
                actor: member, name: group.name, description: form.text("description"),
                posting: PostingPolicy(rawValue: form.text("posting")) ?? group.posting,
                moderators: form.text("moderators").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init))
            return web.redirect(groupPath(group), flash: Flash("settings_saved"))
        } onError: { error, message in
            try await threadList(request, context, error: message, status: error.httpStatus)
        }
    }

    // MARK: A thread

    private func threadPage(_ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let group = try await group(context)
        let threadID = try number(context, "thread")
        let articles = try await web.core.news.thread(threadID, in: group, viewer: member)
        guard let root = articles.first?.numbered else { throw PageError.notFound }
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let mayPost = try await web.core.news.view(of: group, viewer: member).permissions.post
        var depth: [Int64: Int] = [:]
        let rows = articles.map { view -> [String: Any] in
            let numbered = view.numbered, article = view.article
            let level = article.parentID.flatMap { depth[$0] }.map { min($0 + 1, 8) } ?? 0
            depth[article.id] = level
            return [
                "id": String(article.id), "number": String(numbered.number), "depth": level,
                "author": article.authorName, "address": Self.address(article.fromHeader),
                "date": formatter.dateTime(article.postedAt), "subject": article.subject,
                "show_subject": article.id == root.article.id || !article.subject.hasSuffix(Self.baseSubject(root.article.subject)),
                "lines": article.body.split(separator: "\n", omittingEmptySubsequences: false).map { line -> [String: Any] in
                    ["text": String(line), "quote": line.hasPrefix(">")]
                },
                "reply_path": "\(groupPath(group))/articles/\(numbered.number)/reply",
                "cancel_path": "\(groupPath(group))/articles/\(numbered.number)/cancel",
                "may_cancel": view.permissions.cancel,
                "report_href": view.permissions.report
                    ? ReportRoutes.href(.article, article.id, returnTo: "\(groupPath(group))/threads/\(context.parameters.get("thread") ?? "")") : "",
                "crossposted": article.newsgroups.contains(",") ? t.text("news_crossposted", ["groups": article.newsgroups]) : "",
            ]
        }
        try await web.core.news.markRead(member, articleIDs: articles.map(\.article.id))
        return page("news_thread", title: root.article.subject, context, data: [
            "group": ["name": group.name, "path": groupPath(group)],
            "subject": root.article.subject, "articles": rows,
            "may_reply": mayPost,
        ])
    }

    /// `/newsgroups/g/articles/N` (the link newsreaders' users share) goes to the article in its thread.
    private func articleRedirect(_ context: WebContext) async throws -> Response {
        _ = try web.member(context)
        let group = try await group(context)
        guard let found = try await web.core.news.article(in: group, number: try number(context, "number")) else { throw PageError.notFound }
        return WebServices.redirect("\(groupPath(group))/threads/\(found.article.threadID)#a\(found.article.id)")
    }

    static func address(_ fromHeader: String) -> String {
        guard let open = fromHeader.lastIndex(of: "<"), let close = fromHeader.lastIndex(of: ">"), open < close else { return "" }
        return String(fromHeader[fromHeader.index(after: open)..<close])
    }

    static func baseSubject(_ subject: String) -> String {
        var base = subject
        while base.lowercased().hasPrefix("re:") { base = String(base.dropFirst(3)).trimmingCharacters(in: .whitespaces) }
        return base
    }

    // MARK: Replying

    private func replyPage(_ context: WebContext, values: [String: String]? = nil, error: String? = nil,
                           status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let group = try await group(context)
        // The thread page offers no reply where the member may not post; neither does this page.
        guard try await web.core.news.view(of: group, viewer: member).permissions.post else { throw PageError.forbidden }
        guard let parent = try await web.core.news.article(in: group, number: try number(context, "number")) else { throw PageError.notFound }
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let initial = values ?? [
            "subject": "Re: " + Self.baseSubject(parent.article.subject),
            "body": Self.quote(parent.article, intro: t.text("news_quote_intro", [
                "name": parent.article.authorName, "date": formatter.dateTime(parent.article.postedAt)])) + "\n\n",
        ]
        return page("news_reply", title: initial["subject"] ?? "", context, data: [
            "group": ["name": group.name, "path": groupPath(group)],
            "parent": ["author": parent.article.authorName, "subject": parent.article.subject,
                       "path": "\(groupPath(group))/threads/\(parent.article.threadID)#a\(parent.article.id)"],
            "action": "\(groupPath(group))/articles/\(parent.number)/reply",
            "values": initial, "error": error as Any,
        ], status: status)
    }

    /// Quotes like a newsreader: an attribution line, then each line prefixed with "> ", without the
    /// signature (everything after the "-- " line, RFC 3676 4.3).
    static func quote(_ article: Article, intro: String) -> String {
        let all = article.body.split(separator: "\n", omittingEmptySubsequences: false)
        let lines = all.prefix(while: { $0 != "-- " })
            .map { $0.hasPrefix(">") ? ">" + $0 : "> " + $0 }
        return ([intro] + lines).joined(separator: "\n")
    }

    private func reply(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        let group = try await group(context)
        guard let parent = try await web.core.news.article(in: group, number: try number(context, "number")) else { throw PageError.notFound }
        let values = ["subject": form.text("subject"), "body": form.text("body")]
        return try await web.handlingFormErrors(context) {
            let references = parent.article.references.split(separator: " ").map(String.init) + [parent.article.messageID]
            let outcome = try await web.core.news.post(author: member, ArticleDraft(
                newsgroups: [group.name], subject: form.text("subject"), body: form.text("body"), references: references,
                extraHeaders: ["User-Agent: Starcon web"]))
            return posted(outcome, group: group)
        } onError: { error, message in
            try await replyPage(context, values: values, error: message, status: error.httpStatus)
        }
    }

    private func cancel(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        _ = try await web.form(request, context)
        let group = try await group(context)
        guard let found = try await web.core.news.article(in: group, number: try number(context, "number")) else { throw PageError.notFound }
        try await web.core.news.cancel(actor: member, articleID: found.article.id)
        let remaining = try await web.core.news.thread(found.article.threadID, in: group)
        let location = remaining.isEmpty ? groupPath(group) : "\(groupPath(group))/threads/\(found.article.threadID)"
        return web.redirect(location, flash: Flash("news_cancelled"))
    }

    // MARK: Moderation

    private func queue(_ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let group = try await group(context)
        let formatter = web.renderer.formatter(context)
        let pending = try await web.core.news.pending(actor: member, in: group)
        return page("news_queue", title: group.name, context, data: [
            "group": ["name": group.name, "path": groupPath(group)],
            "pending": pending.map { article -> [String: Any] in
                ["id": String(article.id), "author": article.authorName, "subject": article.subject, "body": article.body,
                 "date": formatter.dateTime(article.postedAt), "newsgroups": article.newsgroups]
            },
        ])
    }

    private func decide(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        let group = try await group(context)
        let approve = form.text("decision") == "approve"
        let article = try await web.core.news.decide(actor: member, articleID: try number(context, "article"), approve: approve)
        let flash = !approve ? "news_rejected" : article.status == .pending ? "news_approved_waiting" : "news_approved"
        return web.redirect("\(groupPath(group))/queue", flash: Flash(flash))
    }
}
