import Foundation
import Hummingbird
import StarconCore

/// Filters on the web, without JavaScript: keywords that, in the chosen places, hide a post or fold it behind a
/// warning. `FilterService` decides every rule (the same as `/api/v2/filters`); timelines apply them in the core.
struct FilterRoutes {
    let web: WebServices

    /// What the expiry menu offers, in seconds (0: never).
    static let expiries: [(Int64, String)] = [(0, "filter_never"), (3_600, "poll_duration_1h"), (86_400, "poll_duration_1d"), (604_800, "poll_duration_7d")]

    func add(to router: Router<WebContext>) {
        router.get("/settings/filters") { _, context in try await index(context) }
        router.post("/settings/filters") { request, context in try await create(request, context) }
        router.post("/settings/filters/{id}/delete") { request, context in try await delete(request, context) }
    }

    private func index(_ context: WebContext, values: FormInput? = nil, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let filters = try await web.core.filters.filters(of: member)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let chosen = values.map { form in Set(FilterContext.allCases.filter { form[$0.rawValue] != nil }) } ?? [.home, .public, .thread]
        return web.renderer.page("filters", title: t.text("filters_title"), section: .settings, data: [
            "tabs": SettingsRoutes.tabs(t, current: "filters"),
            "filters": filters.map { filter -> [String: Any] in
                [
                    "id": String(filter.id), "title": filter.title,
                    "keywords": filter.keywords.map(\.keyword).joined(separator: ", "),
                    "contexts": filter.contexts.sorted { $0.rawValue < $1.rawValue }.map { t.text("filter_context_\($0.rawValue)") }.joined(separator: ", "),
                    "action": t.text("filter_action_\(filter.action.rawValue)"),
                    "expires": filter.expiresAt.map { $0 <= now ? t.text("filter_expired") : t.text("filter_expires_at", ["date": formatter.dateTime($0)]) } ?? "",
                ]
            },
            "empty": filters.isEmpty,
            "title_value": values?.text("title") ?? "", "keywords_value": values?.text("keywords") ?? "",
            "contexts": FilterContext.allCases.map { ["name": $0.rawValue, "label": t.text("filter_context_\($0.rawValue)"), "checked": chosen.contains($0)] },
            "hide": values?.text("action") == "hide",
            "expiries": Self.expiries.map { seconds, label -> [String: Any] in
                ["value": String(seconds), "label": t.text(label), "selected": values?.text("expires_in") == String(seconds)]
            },
            "error": error as Any,
        ], context: context, status: status)
    }

    private func create(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        return try await web.handlingFormErrors(context) {
            var change = FilterChange()
            change.title = form.text("title")
            change.contexts = Set(FilterContext.allCases.filter { form[$0.rawValue] != nil })
            change.action = form.text("action") == "hide" ? .hide : .warn
            let seconds = Int64(form.text("expires_in")) ?? 0
            change.expiresIn = .some(seconds > 0 ? seconds : nil)
            // One keyword a line or between commas; "whole word" as the web default, as Mastodon's form does.
            change.addKeywords = form.text("keywords").split(whereSeparator: { $0 == "\n" || $0 == "," })
                .map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
                .map { (keyword: $0, wholeWord: form["whole_word"] != nil) }
            guard !change.addKeywords.isEmpty else { throw CoreError.invalid("filter_keyword", field: "keywords") }
            _ = try await web.core.filters.create(owner: member, change)
            return web.redirect("/settings/filters", flash: Flash("filter_created"))
        } onError: { error, message in
            try await index(context, values: form, error: message, status: error.httpStatus)
        }
    }

    private func delete(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
        _ = try await web.form(request, context)
        try await web.core.filters.delete(id, owner: member)
        return web.redirect("/settings/filters", flash: Flash("filter_deleted"))
    }
}
