import Foundation
import Hummingbird
import StarconCore

/// One's scheduled posts on the web (made from the composer with a time): when each goes out, in the member's
/// time zone, with a new time or a cancel. The rules (how soon, who may) are `FeedService`'s, as on the API.
struct ScheduledRoutes {
    let web: WebServices
    let pages: FeedRoutes

    func add(to router: Router<WebContext>) {
        router.get("/settings/scheduled") { _, context in try await index(context) }
        router.post("/settings/scheduled/{id}/reschedule") { request, context in try await reschedule(request, context) }
        router.post("/settings/scheduled/{id}/edit") { request, context in try await edit(request, context) }
        router.post("/settings/scheduled/{id}/cancel") { request, context in try await cancel(request, context) }
    }

    /// A `datetime-local` value ("2026-12-07T18:30", seconds optional) read in `zone`.
    static func milliseconds(localTime: String, in zone: TimeZone) throws -> Int64 {
        for pattern in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.calendar = Calendar(identifier: .gregorian)
            formatter.timeZone = zone
            formatter.dateFormat = pattern
            if let date = formatter.date(from: localTime) { return Int64(date.timeIntervalSince1970 * 1000) }
        }
        throw CoreError.invalid("scheduled_at_invalid", field: "scheduled_at")
    }

    static func localTime(_ milliseconds: Int64, in zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    private func index(_ context: WebContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let list = try await web.core.feed.scheduledStatuses(author: member, page: PageRequest(limit: FeedRules.maxPageSize))
            .sorted { $0.scheduledAt < $1.scheduledAt }
        return web.renderer.page("scheduled", title: t.text("scheduled_title"), section: .settings, data: [
            "tabs": SettingsRoutes.tabs(t, current: "scheduled"),
            "scheduled": list.map { item -> [String: Any] in
                [
                    "id": String(item.id), "text": item.status.text, "spoiler": item.status.spoilerText,
                    "when": formatter.dateTime(item.scheduledAt), "local": Self.localTime(item.scheduledAt, in: context.timeZone),
                    "photos": item.media.count, "has_poll": item.status.poll != nil,
                ]
            },
            "empty": list.isEmpty, "time_zone": context.timeZone.identifier, "error": error as Any,
        ], context: context, status: status)
    }

    private func reschedule(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
        let form = try await web.form(request, context)
        return try await web.handlingFormErrors(context) {
            let at = try Self.milliseconds(localTime: form.text("scheduled_at"), in: context.timeZone)
            _ = try await web.core.feed.reschedule(id, author: member, at: at)
            return web.redirect("/settings/scheduled", flash: Flash("schedule_saved"))
        } onError: { error, message in
            try await index(context, error: message, status: error.httpStatus)
        }
    }

    /// New text and content warning; the core cleans and checks them as it does for a post.
    private func edit(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
        let form = try await web.form(request, context)
        return try await web.handlingFormErrors(context) {
            _ = try await web.core.feed.editScheduled(id, author: member, text: form.text("text"), spoilerText: form.text("spoiler_text"), at: nil)
            return web.redirect("/settings/scheduled#scheduled-\(id)", flash: Flash("apps_scheduled_saved"))
        } onError: { error, message in
            try await index(context, error: message, status: error.httpStatus)
        }
    }

    private func cancel(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
        _ = try await web.form(request, context)
        try await web.core.feed.cancelScheduled(id, author: member)
        return web.redirect("/settings/scheduled", flash: Flash("schedule_cancelled"))
    }
}
