import Foundation
import Hummingbird
import StarconCore

/// A member reports a post, a message, an article, a mail or an account: a confirm page with a category
/// and a reason (no script needed), and the acknowledgement of a moderator's warning. The rules (what one
/// may report, what counts as theirs) are `ReportService`'s.
struct ReportRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.get("/report/{kind}/{id}") { request, context in try await confirm(request, context) }
        router.post("/report/{kind}/{id}") { request, context in try await file(request, context) }
        router.post("/warnings/{id}/acknowledge") { request, context in try await acknowledge(request, context) }
    }

    /// The confirm page's address for a thing, coming back to `returnTo` afterwards.
    static func href(_ kind: ReportTargetKind, _ id: Int64, returnTo: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=?+#")
        return "/report/\(kind.rawValue)/\(id)?return_to=" + (returnTo.addingPercentEncoding(withAllowedCharacters: allowed) ?? "/")
    }

    /// Locale keys of a kind: `report_…`, but a site page's are the sites area's own (`site_report_…`).
    static func titleKey(_ kind: ReportTargetKind) -> String { kind == .sitePage ? "site_report_title" : "report_title_\(kind.rawValue)" }
    static func kindKey(_ kind: ReportTargetKind) -> String { kind == .sitePage ? "site_report_kind" : "report_kind_\(kind.rawValue)" }

    private func target(_ context: WebContext) throws -> (ReportTargetKind, Int64) {
        guard let kind = context.parameters.get("kind").flatMap(ReportTargetKind.init(rawValue:)),
              let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
        return (kind, id)
    }

    private func confirm(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let returnTo = WebServices.safeLocalPath(request.uri.queryParameters["return_to"].map(String.init)) ?? "/"
        return try await page(member, context, returnTo: returnTo)
    }

    private func page(_ member: Account, _ context: WebContext, returnTo: String, category: String = "", comment: String = "",
                      error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (kind, id) = try target(context)
        let t = web.renderer.catalogue(context)
        let preview = try await web.core.reports.preview(reporter: member, kind: kind, targetID: id)
        let about = preview.account.map { "\($0.displayName) (@\($0.username))" } ?? ""
        return web.renderer.page("report", title: t.text(Self.titleKey(kind)), data: [
            "heading": t.text(Self.titleKey(kind)),
            "about": about.isEmpty ? "" : t.text("report_about", ["name": about]),
            "excerpt": preview.excerpt,
            "action": "/report/\(kind.rawValue)/\(id)",
            "return_to": returnTo,
            "categories": ReportCategory.allCases.map { value in
                ["value": value.rawValue, "label": t.text("report_category_\(value.rawValue)"),
                 "hint": t.text("report_category_\(value.rawValue)_hint"),
                 "checked": value.rawValue == category || (category.isEmpty && value == .other)]
            },
            "comment": comment, "comment_max": ReportService.commentMaxLength, "error": error as Any,
        ], context: context, status: status)
    }

    private func file(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        let (kind, id) = try target(context)
        let returnTo = WebServices.safeLocalPath(form.text("return_to")) ?? "/"
        return try await web.handlingFormErrors(context) {
            guard let category = ReportCategory(rawValue: form.text("category")) else {
                throw CoreError.invalid("report_category", field: "category")
            }
            _ = try await web.core.reports.file(reporter: member, .init(kind: kind, targetID: id, category: category, comment: form.text("comment")))
            return web.redirect(returnTo, flash: Flash("report_sent"))
        } onError: { error, message in
            try await page(member, context, returnTo: returnTo, category: form.text("category"), comment: form.text("comment"),
                           error: message, status: error.httpStatus)
        }
    }

    private func acknowledge(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
        try await web.core.accounts.acknowledgeWarning(id, of: member)
        return WebServices.redirect(WebServices.safeLocalPath(form.text("return_to")) ?? "/")
    }
}
