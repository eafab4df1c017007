import Hummingbird
import StarconCore

/// `/api/v1/scheduled_statuses`: one's statuses waiting to be posted (made by `POST /api/v1/statuses` with `scheduled_at`).
struct ScheduledStatusAPIRoutes {
    let api: APISupport
    var core: Core { api.web.core }

    func add(to router: Router<WebContext>) {
        router.get("/api/v1/scheduled_statuses") { request, context in
            let author = try await api.member(request, "read:statuses")
            let input = try await APIInput.read(request, context: context)
            let list = try await core.feed.scheduledStatuses(author: author, page: api.page(input))
            return JSON.response(list.map(api.entities.scheduledStatus), headers: api.linkHeader(request, newest: list.first?.id, oldest: list.last?.id))
        }
        router.get("/api/v1/scheduled_statuses/{id}") { request, context in
            let author = try await api.member(request, "read:statuses")
            guard let scheduled = try await core.feed.scheduled(try api.id(context), author: author) else { throw APIError.notFound }
            return JSON.response(api.entities.scheduledStatus(scheduled))
        }
        router.put("/api/v1/scheduled_statuses/{id}") { request, context in
            let author = try await api.member(request, "write:statuses")
            let input = try await APIInput.read(request, context: context)
            // Mastodon takes `scheduled_at` only; `status` and `spoiler_text` (Starcon) change the text too.
            var at: Int64?
            if let raw = input["scheduled_at"] {
                guard let parsed = APITime.milliseconds(raw) else { throw APIError(.unprocessableContent, "Validation failed: scheduled_at is not a valid time") }
                at = parsed
            }
            guard at != nil || input["status"] != nil || input["spoiler_text"] != nil else {
                throw APIError(.unprocessableContent, "Validation failed: give scheduled_at, status or spoiler_text")
            }
            let edited = try await core.feed.editScheduled(try api.id(context), author: author, text: input["status"],
                                                           spoilerText: input["spoiler_text"], at: at)
            return JSON.response(api.entities.scheduledStatus(edited))
        }
        router.delete("/api/v1/scheduled_statuses/{id}") { request, context in
            let author = try await api.member(request, "write:statuses")
            try await core.feed.cancelScheduled(try api.id(context), author: author)
            return JSON.response([String: Any]())
        }
    }
}
