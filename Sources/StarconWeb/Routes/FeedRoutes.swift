import Foundation
import Hummingbird
import StarconCore

/// The feed on the web, without JavaScript: timelines with a composer, a status with its thread, profiles,
/// hashtags, bookmarks and notifications. Every rule is the core's, the same as the Mastodon API's.
struct FeedRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.get("/") { request, context in try await timelinePage(.home, tab: "home", request, context) }
        router.get("/network") { request, context in try await timelinePage(.network, tab: "network", request, context) }
        router.get("/bookmarks") { request, context in try await timelinePage(.bookmarks, tab: "bookmarks", request, context) }
        router.get("/tags/{tag}") { request, context in
            guard let tag = context.parameters.get("tag")?.removingPercentEncoding.flatMap(StatusText.validTag) else { throw PageError.notFound }
            return try await timelinePage(.tag(tag), tab: "tag", request, context, heading: "#" + tag)
        }
        router.get("/@{username}") { request, context in try await profile(request, context) }
        router.get("/@{username}/{item}") { _, context in
            try await statusPage(context, id: try statusID(context), username: context.parameters.get("username") ?? "")
        }
        router.get("/statuses/{id}") { _, context in try await statusRedirect(context) }
        router.get("/statuses/{id}/edit") { _, context in try await editPage(context) }
    }

    func model(_ context: WebContext, _ member: Account, returnTo: String) -> StatusViewModel {
        StatusViewModel(catalogue: web.renderer.catalogue(context), formatter: web.renderer.formatter(context), returnTo: returnTo,
                        photos: context.photos)
    }

    private func page(_ template: String, title: String, _ context: WebContext, data: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        web.renderer.page(template, title: title, section: .feed, data: data, context: context, status: status)
    }

    static func pageRequest(_ request: Request) -> PageRequest {
        PageRequest(maxID: request.uri.queryParameters["max_id"].flatMap { Int64(String($0)) },
                    minID: request.uri.queryParameters["min_id"].flatMap { Int64(String($0)) })
    }

    static func path(_ request: Request) -> String {
        request.uri.query.map { request.uri.path + "?" + $0 } ?? request.uri.path
    }

    /// The feed's own tabs (the notifications link follows them in the template).
    static func tabs(_ t: Catalogue, current: String) -> [[String: Any]] {
        ["home", "network", "lists", "bookmarks"].map { ["href": $0 == "home" ? "/" : "/\($0)", "label": t.text("feed_tab_\($0)"), "current": $0 == current] }
    }

    // MARK: Timelines

    func timelinePage(_ timeline: Timeline, tab: String, _ request: Request, _ context: WebContext, heading: String? = nil,
                      composer: [String: Any]? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        let pageRequest = Self.pageRequest(request)
        let result = try await web.core.feed.timeline(timeline, viewer: member, page: pageRequest)
        let models = model(context, member, returnTo: Self.path(request))
        let firstPage = pageRequest.maxID == nil && pageRequest.minID == nil
        let title = heading ?? t.text("feed_tab_\(tab)")
        var values: [String: Any] = [
            "heading": title,
            "tabs": Self.tabs(t, current: tab),
            "statuses": try await statusesMarkingNew(result.items, tab: tab, request, member, models),
            "empty": result.items.isEmpty,
            "show_composer": tab == "home",
            // Live "new posts" only on the first page of home (an older page is history).
            "stream": tab == "home" && firstPage ? "user" : "",
            "new_posts_forms": t.pluralFormsJSON("feed_new_posts"),
        ]
        var form = composer ?? [:]
        form["return_to"] = Self.path(request)
        form["photo_slots"] = StatusViewModel.photoSlots
        form["poll_slots"] = StatusViewModel.pollSlots
        form["time_zone"] = context.timeZone.identifier
        form["poll_durations"] = models.pollDurations
        form["visibilities"] = models.visibilities(selected: Visibility(rawValue: form["visibility"] as? String ?? "") ?? .public)
        values["composer"] = form
        values.merge(Paging.links(path: request.uri.path, page: pageRequest, count: result.items.count,
                                  newest: result.newestCursor, oldest: result.oldestCursor)) { $1 }
        return page("feed", title: title, context, data: values, status: status)
    }

    /// Home's first page marks what came after the member's home marker (shared with the apps) as new, and
    /// reading it moves the marker to the newest post shown.
    private func statusesMarkingNew(_ items: [StatusView], tab: String, _ request: Request, _ member: Account,
                                     _ models: StatusViewModel) async throws -> [[String: Any]] {
        guard tab == "home", request.uri.queryParameters["max_id"] == nil, request.uri.queryParameters["min_id"] == nil, let newest = items.map(\.status.id).max() else {
            return items.map { models.status($0) }
        }
        let lastRead = try await web.core.markers.advance("home", to: newest, for: member)
        return items.map { view in
            var values = models.status(view)
            if let lastRead, view.status.id > lastRead { values["is_new"] = true }
            return values
        }
    }

    // MARK: A status and its thread

    /// The status id from `/statuses/{id}/…` or `/@user/{item}`.
    func statusID(_ context: WebContext) throws -> Int64 {
        guard let id = context.parameters.get("id", as: Int64.self) ?? context.parameters.get("item", as: Int64.self) else { throw PageError.notFound }
        return id
    }

    private func statusRedirect(_ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        guard let view = try await web.core.feed.view(id: try statusID(context), viewer: member) else { throw PageError.notFound }
        return WebServices.redirect("/@\(view.status.author.username)/\(view.status.id)")
    }

    func statusPage(_ context: WebContext, id: Int64, username: String, reply: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        guard let view = try await web.core.feed.view(id: id, viewer: member),
              view.status.author.username.lowercased() == username.lowercased() else { throw PageError.notFound }
        let thread = try await web.core.feed.context(id: id, viewer: member)
        let path = "/@\(view.status.author.username)/\(id)"
        let models = model(context, member, returnTo: path)
        let replyTarget = view.reblog?.view ?? view
        let mentions = ([view.status.author] + view.status.mentions).filter { $0.id != member.id }.map { "@" + $0.username }
        var form = reply
        if form["text"] == nil { form["text"] = mentions.isEmpty ? "" : Array(NSOrderedSet(array: mentions)).map { "\($0)" }.joined(separator: " ") + " " }
        form["in_reply_to_id"] = String(replyTarget.status.id)
        form["return_to"] = path
        form["photo_slots"] = StatusViewModel.photoSlots
        form["visibilities"] = models.visibilities(selected: view.status.visibility)
        let focused = models.status(view, highlighted: true)  // first, so its photos are the page's first screen
        return page("status_page", title: t.text("feed_status_title", ["name": view.status.author.displayName]), context, data: [
            "heading": t.text("feed_status_title", ["name": view.status.author.displayName]),
            "ancestors": thread.ancestors.map { models.status($0) },
            "status": focused,
            "descendants": thread.descendants.map { models.status($0) },
            "composer": replyTarget.permissions.reply ? form as Any : false,
        ], status: status)
    }

    private func editPage(_ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        guard let view = try await web.core.feed.view(id: try statusID(context), viewer: member), view.permissions.edit else {
            throw PageError.notFound
        }
        return page("status_edit", title: t.text("feed_edit_title"), context, data: [
            "action": "/statuses/\(view.status.id)/edit", "text": view.status.text, "spoiler": view.status.spoilerText,
            "back": "/@\(member.username)/\(view.status.id)",
        ])
    }

    // MARK: Profiles

    private func profile(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        // Not there for this member (not active, or they blocked the member): the API answers 404 too.
        guard let profile = try await web.core.relationships.view(username: context.parameters.get("username") ?? "", viewer: member) else {
            throw PageError.notFound
        }
        let account = profile.account, relationship = profile.relationship, may = profile.permissions
        let counts = try await web.core.relationships.counts(account.id)
        let pageRequest = Self.pageRequest(request)
        let result = try await web.core.feed.timeline(.account(account.id), viewer: member, page: pageRequest)
        // Pinned posts first, on the first page only (and not again below).
        let pinned = pageRequest.maxID == nil && pageRequest.minID == nil ? try await web.core.feed.pinned(of: account.id, viewer: member) : []
        let pinnedIDs = Set(pinned.map(\.status.id))
        let models = model(context, member, returnTo: Self.path(request))
        let me = account.id == member.id
        var actions: [[String: Any]] = []
        if relationship.following || relationship.requested {
            actions.append(["action": "unfollow", "label": t.text(relationship.following ? "profile_unfollow" : "profile_cancel_request")])
        } else if may.follow {
            actions.append(["action": "follow", "label": t.text(account.locked ? "profile_request_follow" : "profile_follow"), "primary": true])
        }
        if may.mute {
            actions.append(["action": relationship.muting ? "unmute" : "mute", "label": t.text(relationship.muting ? "profile_unmute" : "profile_mute")])
        }
        if may.block {
            var block: [String: Any] = ["action": relationship.blocking ? "unblock" : "block", "label": t.text(relationship.blocking ? "profile_unblock" : "profile_block"), "danger": !relationship.blocking]
            if !relationship.blocking { block["confirm"] = t.text("safety_confirm_block", ["name": account.displayName]) }
            actions.append(block)
        }
        let data: [String: Any] = [
            "account": models.author(account), "bio": account.bio, "locked": account.locked,
            "joined": t.text("profile_joined", ["date": formatter.date(account.createdAt)]),
            "counts": [
                ["label": t.plural("profile_posts", count: counts.statuses, formatter: formatter), "href": false],
                ["label": t.plural("profile_followers", count: counts.followers, formatter: formatter), "href": "/@\(account.username)/followers"],
                ["label": t.plural("profile_following", count: counts.following, formatter: formatter), "href": "/@\(account.username)/following"],
            ] as [[String: Any]],
            // Opens the pair's conversation (the same one every time) or starts it; the core decides whether
            // this member may be messaged (blocks either way refuse it).
            "may_message": may.message && !me,
            "follows_you": relationship.followedBy && !me, "me": me,
            "actions": actions, "action_base": "/@\(account.username)", "return_to": Self.path(request),
            "report_href": may.report ? ReportRoutes.href(.account, account.id, returnTo: Self.path(request)) : "",
            "pinned": pinned.map { models.status($0) },
            "statuses": result.items.filter { !pinnedIDs.contains($0.status.id) }.map { models.status($0) }, "empty": result.items.isEmpty && pinned.isEmpty,
            "avatar": account.avatarFile.map { "/media/\($0)" } ?? "", "header": account.headerFile.map { "/media/\($0)" } ?? "",
            "fields": account.fields.map { ["name": $0.name, "value": $0.value] }, "has_fields": !account.fields.isEmpty, "bot": account.bot,
        ]
        return page("profile", title: account.displayName, context, data: data.merging(
            Paging.links(path: "/@\(account.username)", page: pageRequest, count: result.items.count,
                         newest: result.newestCursor, oldest: result.oldestCursor)) { $1 })
    }
}
