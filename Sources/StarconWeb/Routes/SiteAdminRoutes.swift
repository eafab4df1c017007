import Hummingbird
import StarconCore

/// `/admin/sites`: every site with its owner and state, and granting a new one (`SiteRules.ensureMayGrant`).
struct SiteAdminRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.get("/admin/sites") { _, context in try await index(context) }
        router.post("/admin/sites") { request, context in try await create(request, context) }
    }

    private func index(_ context: WebContext, form: FormInput? = nil, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let admin = try web.staff(context)
        guard admin.role == .admin else { throw PageError.forbidden }
        let t = web.renderer.catalogue(context)
        let sites = try await web.core.sites.all()
        return try AdminRoutes(web: web).adminPage("site_admin", tab: "sites", context, data: [
            "error": error as Any, "name_value": form?.text("name") ?? "", "owner_value": form?.text("owner") ?? "",
            "title_value": form?.text("title") ?? "", "empty": sites.isEmpty,
            "sites": sites.map { site in
                [
                    "name": site.name, "title": site.title, "owner": site.owner.username, "kind": t.text("kind_\(site.owner.kind.rawValue)"),
                    "offline": !web.core.sites.isOnline(site),
                ] as [String: Any]
            },
        ], status: status)
    }

    private func create(_ request: Request, _ context: WebContext) async throws -> Response {
        let admin = try web.staff(context)
        let form = try await web.form(request, context)
        return try await web.handlingFormErrors(context) {
            guard let owner = try await web.core.accounts.find(username: form.text("owner").trimmingCharacters(in: .whitespaces)) else {
                throw CoreError.invalid("site_owner_unknown", field: "owner")
            }
            let title = form.text("title").trimmingCharacters(in: .whitespaces)
            _ = try await web.core.sites.create(actor: admin, name: form.text("name"), owner: owner, title: title.isEmpty ? nil : title)
            return web.redirect("/admin/sites", flash: Flash("site_created"))
        } onError: { error, message in
            try await index(context, form: form, error: message, status: error.httpStatus)
        }
    }
}
