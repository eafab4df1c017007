import Foundation
import Hummingbird
import StarconCore

/// The notifications page: grouped, compact (a line, a short excerpt and at most a small thumbnail of the
/// post it is about), paged both ways, with "mark all as read". Opening the page marks what it shows as
/// seen (the bell stops counting them); each stays unread until "mark all as read", which also moves the
/// apps' notifications marker (one notion of read for the web and the apps).
struct NotificationRoutes {
    let web: WebServices
    let pages: FeedRoutes

    static let pageSize = 40

    func add(to router: Router<WebContext>) {
        router.get("/notifications") { request, context in try await list(request, context) }
        router.post("/notifications/read") { request, context in
            let member = try web.member(context)
            _ = try await web.form(request, context)
            try await web.core.notifications.markAllRead(for: member)
            if let newest = try await web.core.notifications.list(for: member, page: PageRequest(limit: 1)).first?.id {
                try await web.core.markers.advance("notifications", to: newest, for: member)
            }
            return WebServices.redirect("/notifications")
        }
    }

    private func list(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        var pageRequest = FeedRoutes.pageRequest(request)
        pageRequest.limit = Self.pageSize
        let list = try await web.core.notifications.list(for: member, page: pageRequest)
        let models = pages.model(context, member, returnTo: "/notifications")
        let formatter = web.renderer.formatter(context)
        var items: [[String: Any]] = []
        for group in NotificationGroup.group(list) {
            let notification = group.newest
            let status = try await notification.statusID.asyncMap { try await web.core.feed.view(id: $0, viewer: member) } ?? nil
            if notification.statusID != nil && status == nil { continue }
            items.append(item(group, status: status, models: models, t: t, formatter: formatter, member: member))
        }
        let requests = try await web.core.relationships.accounts(.requests, of: member.id)
        // Seen: the bell no longer counts these (they stay unread until marked read).
        if let newest = list.map(\.id).max() { try await web.core.notifications.markSeen(upTo: newest, for: member) }
        var data: [String: Any] = [
            "notifications": items, "empty": items.isEmpty && requests.isEmpty, "has_requests": !requests.isEmpty,
            "has_unread": list.contains { !$0.read },
            "requests": requests.map { ["author": models.author($0.0), "request_base": "/follow_requests/\($0.0.id)"] as [String: Any] },
        ]
        data.merge(Paging.links(path: "/notifications", page: pageRequest, count: list.count, newest: list.first?.id, oldest: list.last?.id)) { $1 }
        return web.renderer.page("notifications", title: t.text("notifications_title"), section: .feed, data: data, context: context)
    }

    private func item(_ group: NotificationGroup, status: StatusView?, models: StatusViewModel, t: Catalogue,
                      formatter: Formatters, member: Account) -> [String: Any] {
        let notification = group.newest
        let others = group.people.count - 1
        let name = notification.from.displayName
        let text: String
        if notification.kind == .reportResolved {
            // A report's outcome names what the moderators decided, not who.
            text = t.text("report_notice_\(notification.reportOutcome?.rawValue ?? "dismiss")")
        } else if others > 0, let key = NotificationGroup.groupKey(notification.kind) {
            text = t.plural("notif_group_\(key)", count: others, ["name": name], formatter: formatter)
        } else {
            text = t.text("notification_\(notification.kind.rawValue)", ["name": name, "emoji": notification.emoji ?? ""])
        }
        let post = (status?.reblog?.view ?? status)?.status
        let href: String
        if let post { href = "/@\(post.author.username)/\(post.id)" }
        else if notification.kind == .reportResolved { href = "/notifications" }
        else if notification.kind == .follow && others > 0 { href = "/@\(member.username)/followers" }
        else { href = "/@\(notification.from.username)" }
        let excerpt = post.map { $0.spoilerText.isEmpty ? $0.text : $0.spoilerText }.map { $0.count > 140 ? String($0.prefix(139)) + "…" : $0 } ?? ""
        return [
            "text": text, "href": href, "unread": group.unread,
            "people": notification.kind == .reportResolved ? [] : group.people.prefix(4).map { models.author($0) },
            "emojis": others > 0 && !group.emojis.isEmpty ? group.emojis.joined(separator: " ") as Any : false,
            "excerpt": excerpt.isEmpty ? false as Any : excerpt,
            "thumb": post?.media.first.map { "/media/\($0.small.file($0.digest))" as Any } ?? false,
            "date": formatter.relative(notification.createdAt), "iso_date": JSON.iso8601(notification.createdAt),
        ]
    }
}
