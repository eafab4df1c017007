import Foundation
import Hummingbird
import StarconCore

/// The member's mail settings: the signature added below a new message, and their address.
struct MailSettingsRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.get("/mail/settings") { _, context in try await settingsPage(context) }
        router.post("/mail/settings") { request, context in try await save(request, context) }
    }

    private func settingsPage(_ context: WebContext, error: String? = nil, signature: String? = nil,
                              status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        let (_, folders) = try await MailRoutes.folderList(web, member, current: nil, context)
        let current = try await web.core.mail.signature(of: member)
        return web.renderer.page("mail_settings", title: t.text("mail_settings_title"), section: .mail, data: [
            "folders": folders, "address": web.core.mail.address(of: member),
            "signature": signature ?? current, "error": error as Any,
        ], context: context, status: status)
    }

    private func save(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        return try await web.handlingFormErrors(context) {
            try await web.core.mail.setSignature(form.text("signature"), of: member)
            return web.redirect("/mail/settings", flash: Flash("settings_saved"))
        } onError: { error, message in
            try await settingsPage(context, error: message, signature: form.text("signature"), status: error.httpStatus)
        }
    }
}
