import Hummingbird
import StarconCore

/// The data saver's two forms: a member's own choice (on the settings page) and the instance's default (on
/// the admin overview). The rule they feed is `PhotoPolicy`, in the core.
struct DataSaverRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.post("/settings/photos") { request, context in try await saveMember(request, context) }
        router.post("/admin/photos") { request, context in try await saveDefault(request, context) }
    }

    /// The radio buttons; `followDefault` adds "as the instance sets it" (the empty value) for members.
    static func options(_ t: Catalogue, selected: PhotoLoading?, followDefault: PhotoLoading?) -> [[String: Any]] {
        var options: [[String: Any]] = []
        if let fallback = followDefault {
            options.append(["value": "", "selected": selected == nil,
                            "label": t.text("datasaver_follow_default", ["choice": t.text("datasaver_mode_\(fallback.rawValue)")])])
        }
        return options + PhotoLoading.allCases.map { mode in
            ["value": mode.rawValue, "label": t.text("datasaver_mode_\(mode.rawValue)"), "selected": selected == mode]
        }
    }

    private func saveMember(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        let value = form.text("photos")
        let choice = value.isEmpty ? nil : PhotoLoading(rawValue: value)
        guard value.isEmpty || choice != nil else { throw PageError(.badRequest, messageKey: "error.invalid_input") }
        try await web.core.accounts.setPhotoLoading(of: member, to: choice)
        return web.redirect("/settings#data-saver", flash: Flash("datasaver_saved"))
    }

    private func saveDefault(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.staff(context)
        let form = try await web.form(request, context)
        guard let choice = PhotoLoading(rawValue: form.text("photos")) else { throw PageError(.badRequest, messageKey: "error.invalid_input") }
        try await web.core.settings.setPhotoLoadingDefault(actor: member, choice)
        return web.redirect("/admin#data-saver", flash: Flash("datasaver_saved"))
    }
}
