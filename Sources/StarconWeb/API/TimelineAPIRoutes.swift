import Hummingbird
import StarconCore

/// `/api/v1/timelines/…`, bookmarks, favourites and notifications: pages newest first with `Link` headers.
struct TimelineAPIRoutes {
    let api: APISupport
    var core: Core { api.web.core }

    func add(to router: Router<WebContext>) {
        router.get("/api/v1/timelines/home") { request, context in try await timeline(.home, request, context) }
        router.get("/api/v1/timelines/public") { request, context in try await timeline(.network, request, context) }
        router.get("/api/v1/timelines/tag/{tag}") { request, context in
            guard let tag = context.parameters.get("tag")?.removingPercentEncoding.flatMap(StatusText.validTag) else { throw APIError.notFound }
            return try await timeline(.tag(tag), request, context)
        }
        router.get("/api/v1/bookmarks") { request, context in try await timeline(.bookmarks, request, context, scope: "read:bookmarks") }
        router.get("/api/v1/favourites") { request, context in try await timeline(.favourites, request, context, scope: "read:favourites") }

        router.get("/api/v1/notifications") { request, context in
            let member = try await api.member(request, "read:notifications")
            let input = try await APIInput.read(request, context: context)
            let types = input.list("types").compactMap(StarconCore.Notification.Kind.init(rawValue:))
            let notifications = try await core.notifications.list(
                for: member, page: api.page(input), types: types.isEmpty ? nil : Set(types),
                excluding: Set(input.list("exclude_types").compactMap(StarconCore.Notification.Kind.init(rawValue:))))
            var json: [[String: Any]] = []
            for notification in notifications {
                let status = try await notification.statusID.asyncMap { try await core.feed.view(id: $0, viewer: member, context: .notifications) }
                if notification.statusID != nil && status == nil { continue }
                json.append(api.entities.notification(notification, status: status ?? nil))
            }
            return JSON.response(json, headers: api.linkHeader(request, newest: notifications.first?.id, oldest: notifications.last?.id))
        }
        router.get("/api/v1/notifications/{id}") { request, context in
            let member = try await api.member(request, "read:notifications")
            guard let notification = try await core.notifications.get(try api.id(context), for: member) else { throw APIError.notFound }
            let status = try await notification.statusID.asyncMap { try await core.feed.view(id: $0, viewer: member) }
            return JSON.response(api.entities.notification(notification, status: status ?? nil))
        }
        router.post("/api/v1/notifications/clear") { request, _ in
            try await core.notifications.clear(for: try await api.member(request, "write:notifications"))
            return JSON.response([String: Any]())
        }
        router.post("/api/v1/notifications/{id}/dismiss") { request, context in
            try await core.notifications.dismiss(try api.id(context), for: try await api.member(request, "write:notifications"))
            return JSON.response([String: Any]())
        }
    }

    private func timeline(_ timeline: Timeline, _ request: Request, _ context: WebContext, scope: String = "read:statuses") async throws -> Response {
        let viewer = try await api.member(request, scope)
        let input = try await APIInput.read(request, context: context)
        let page = try await core.feed.timeline(timeline, viewer: viewer, page: api.page(input), onlyMedia: input.flag("only_media") ?? false)
        return JSON.response(page.items.map(api.entities.status),
                             headers: api.linkHeader(request, newest: page.newestCursor, oldest: page.oldestCursor))
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
