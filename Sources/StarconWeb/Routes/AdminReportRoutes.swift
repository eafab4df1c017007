import Hummingbird
import StarconCore

/// Admin › Reports: the moderators' queue, open or resolved, newest first. Each open report offers only
/// the outcomes `Permissions.report` allows; `ReportService.resolve` checks them again.
struct AdminReportRoutes {
    let web: WebServices
    let admin: AdminRoutes

    func add(to router: Router<WebContext>) {
        router.get("/admin/reports") { request, context in try await queue(request, context) }
        router.post("/admin/reports/{id}") { request, context in try await resolve(request, context) }
    }

    private func queue(_ request: Request, _ context: WebContext) async throws -> Response {
        let actor = try web.staff(context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let state = request.uri.queryParameters["state"].flatMap { ReportState(rawValue: String($0)) } ?? .open
        let before = request.uri.queryParameters["before"].flatMap { Int64(String($0)) }
        let views = try await web.core.reports.list(actor: actor, state: state, before: before, limit: AdminRoutes.pageSize)
        var names: [Int64: String] = [:]
        for id in Set(views.compactMap(\.report.resolvedBy)) { names[id] = try await web.core.accounts.find(id: id)?.username }
        let rows = views.map { view -> [String: Any] in
            let report = view.report, may = view.permissions
            let outcomes = ReportOutcome.allCases.filter { may.allows($0) }.map { outcome -> [String: Any] in
                ["value": outcome.rawValue, "label": t.text("report_outcome_\(outcome.rawValue)"), "checked": outcome == .dismiss,
                 "days": outcome == .suspend]
            }
            return [
                "id": String(report.id),
                "category": t.text("report_category_\(report.category.rawValue)"),
                "kind": t.text(ReportRoutes.kindKey(report.targetKind)),
                "link": Self.link(report),
                "when": formatter.dateTime(report.createdAt),
                "reporter": "@" + report.reporter.username,
                "about": report.account.map { "\($0.displayName) (@\($0.username))" } ?? t.text("report_outside_sender"),
                "about_path": report.account.map { "/@\($0.username)" } ?? "",
                "about_state": report.account.map { account -> String in
                    var states: [String] = []
                    if account.status != .active { states.append(t.text("status_\(account.status.rawValue)")) }
                    if account.limited { states.append(t.text("report_limited")) }
                    return states.joined(separator: " · ")
                } ?? "",
                "comment": report.comment, "excerpt": report.excerpt,
                "open": report.state == .open, "outcomes": outcomes,
                "outcome": report.outcome.map { t.text("report_outcome_\($0.rawValue)") } ?? "",
                "note": report.note,
                "resolved": report.resolvedAt.map {
                    t.text("report_resolved_by", ["name": report.resolvedBy.flatMap { names[$0] }.map { "@" + $0 } ?? "—",
                                                  "date": formatter.dateTime($0)])
                } ?? "",
            ]
        }
        let open = try await web.core.reports.count(actor: actor, state: .open)
        return try admin.adminPage("admin_reports", tab: "reports", context, data: [
            "reports": rows, "empty": rows.isEmpty,
            "states": ReportState.allCases.map { value -> [String: Any] in
                ["href": "/admin/reports?state=\(value.rawValue)", "current": value == state,
                 "label": value == .open ? t.text("report_state_open", ["count": formatter.number(open)]) : t.text("report_state_resolved")]
            },
            "older": views.count == AdminRoutes.pageSize ? "/admin/reports?state=\(state.rawValue)&before=\(views.last!.report.id)" : "",
        ])
    }

    /// Where the reported thing can be seen, when it has a page of its own a moderator may open.
    static func link(_ report: Report) -> String {
        switch report.targetKind {
        case .status: report.account.map { "/@\($0.username)/\(report.targetID)" } ?? ""
        case .account: report.account.map { "/@\($0.username)" } ?? ""
        case .message, .article, .mail: ""
        case .sitePage: report.excerpt.prefix { $0 != "\n" }.hasPrefix("/sites/") ? String(report.excerpt.prefix { $0 != "\n" }) : ""
        }
    }

    private func resolve(_ request: Request, _ context: WebContext) async throws -> Response {
        let actor = try web.staff(context)
        let form = try await web.form(request, context)
        guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
        guard let outcome = ReportOutcome(rawValue: form.text("outcome")) else { throw PageError(.badRequest, messageKey: "error.invalid_input") }
        let daysText = form.text("days").trimmingCharacters(in: .whitespaces)
        guard daysText.isEmpty || Int(daysText) != nil else { throw CoreError.invalid("moderation_days", field: "days") }
        try await web.core.reports.resolve(actor: actor, reportID: id, outcome: outcome, note: form.text("note"), days: Int(daysText))
        return web.redirect("/admin/reports", flash: Flash("report_resolved_flash"))
    }
}
