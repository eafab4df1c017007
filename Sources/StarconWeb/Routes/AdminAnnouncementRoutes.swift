import Foundation
import Hummingbird
import StarconCore

/// `/admin/announcements`: publish one (a text per language, severity, expiry), list them, end one.
/// The core decides who may (`Permissions.instance(…).announce`); this page only shows the answer.
struct AdminAnnouncementRoutes {
    let web: WebServices
    var admin: AdminRoutes { AdminRoutes(web: web) }

    func add(to router: Router<WebContext>) {
        router.get("/admin/announcements") { _, context in try await page(context) }
        router.post("/admin/announcements") { request, context in try await create(request, context) }
        router.post("/admin/announcements/{id}/end") { request, context in
            let member = try web.member(context)
            _ = try await web.form(request, context)
            guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
            try await web.core.announcements.end(actor: member, id: id)
            return web.redirect("/admin/announcements", flash: Flash("announce_ended"))
        }
    }

    private func page(_ context: WebContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        guard Permissions.instance(member).announce else { throw PageError.forbidden }
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let rows = try await web.core.announcements.all(actor: member).map { announcement -> [String: Any] in
            let chosen = announcement.text(for: context.language.rawValue)
            let state: String
            if announcement.isLive(at: now) {
                state = announcement.expiresAt.map { t.text("announce_live_until", ["time": formatter.dateTime($0)]) } ?? t.text("announce_live")
            } else {
                state = t.text("announce_over", ["time": formatter.dateTime(announcement.endedAt ?? announcement.expiresAt ?? now)])
            }
            return ["id": String(announcement.id), "text": chosen.text, "lang": chosen.language,
                    "severity": t.text("announce_severity_\(announcement.severity.rawValue)"),
                    "languages": announcement.texts.keys.sorted { (AnnouncementRules.languages.firstIndex(of: $0) ?? 9) < (AnnouncementRules.languages.firstIndex(of: $1) ?? 9) }.joined(separator: " "),
                    "created": formatter.dateTime(announcement.createdAt), "state": state, "live": announcement.isLive(at: now)]
        }
        return try admin.adminPage("admin_announcements", tab: "announcements", context, data: [
            "error": error as Any,
            "severities": AnnouncementSeverity.allCases.map { ["value": $0.rawValue, "label": t.text("announce_severity_\($0.rawValue)")] },
            "languages": AnnouncementRules.languages.map { code in
                ["code": code, "name": web.renderer.catalogues[Language(rawValue: code) ?? .fallback].text("language_name")]
            },
            "announcements": rows,
        ], status: status)
    }

    private func create(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        var texts: [String: String] = [:]
        for code in AnnouncementRules.languages { texts[code] = form.text("text_\(code)") }
        let hours = form.text("expires_hours").trimmingCharacters(in: .whitespaces)
        return try await web.handlingFormErrors(context) {
            guard let severity = AnnouncementSeverity(rawValue: form.text("severity")) else { throw CoreError.invalid("invalid_input") }
            var expires: Int?
            if !hours.isEmpty {
                guard let value = Int(hours) else { throw CoreError.invalid("announcement_expiry", field: "expires") }
                expires = value
            }
            _ = try await web.core.announcements.create(actor: member, texts: texts, severity: severity, expiresInHours: expires)
            return web.redirect("/admin/announcements", flash: Flash("announce_published"))
        } onError: { _, message in
            try await page(context, error: message, status: .unprocessableContent)
        }
    }
}
