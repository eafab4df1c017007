import Foundation
import Hummingbird
import StarconCore

/// The member's security settings: the TOTP second factor, app passwords for protocol clients, and ending
/// an app's access (the sessions page lists them). The rules are the core's; this only shows them.
struct SecuritySettingsRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.get("/settings/security") { _, context in try await page(context) }
        router.post("/settings/security/totp/begin") { request, context in try await beginTOTP(request, context) }
        router.post("/settings/security/totp/confirm") { request, context in try await confirmTOTP(request, context) }
        router.post("/settings/security/totp/disable") { request, context in try await disableTOTP(request, context) }
        router.post("/settings/security/app-passwords") { request, context in try await createAppPassword(request, context) }
        router.post("/settings/security/app-passwords/{id}/revoke") { request, context in try await revokeAppPassword(request, context) }
        router.post("/settings/apps/{id}/revoke") { request, context in try await revokeApp(request, context) }
    }

    /// `extra`: what is shown once (recovery codes, a new app password) or an error.
    private func page(_ context: WebContext, extra: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let totp = try await web.core.twoFactor.status(of: member, issuer: web.renderer.instanceName)
        let appPasswords = try await web.core.appPasswords.list(for: member).map { password -> [String: Any] in
            ["id": String(password.id), "name": password.name, "created": formatter.dateTime(password.createdAt),
             "last_used": password.lastUsedAt.map { formatter.dateTime($0) + (password.lastUsedAddress.isEmpty ? "" : " (\(password.lastUsedAddress))") }
                ?? t.text("app_passwords_never_used")]
        }
        var data: [String: Any] = [
            "totp_enabled": totp.enabled,
            "recovery_left_text": t.text("totp_recovery_left", ["count": String(totp.recoveryCodesLeft)]),
            "app_passwords": appPasswords,
        ]
        if let pending = totp.pending {
            data["pending"] = ["secret": pending.secret, "uri": pending.uri, "qr_svg": QRCode(pending.uri)?.svg ?? ""]
        }
        data.merge(extra) { $1 }
        var values = data
        values["tabs"] = SettingsRoutes.tabs(t, current: "security")
        return web.renderer.page("settings_security", title: t.text("settings_title"), section: .settings, data: values,
                                 context: context, status: status)
    }

    private func failing(_ context: WebContext, _ body: () async throws -> Response) async throws -> Response {
        try await web.handlingFormErrors(context, body) { error, message in
            try await page(context, extra: ["error": message], status: error.httpStatus)
        }
    }

    private func beginTOTP(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        _ = try await web.form(request, context)
        return try await failing(context) {
            _ = try await web.core.twoFactor.beginEnrolment(for: member, issuer: web.renderer.instanceName)
            return WebServices.redirect("/settings/security#totp")
        }
    }

    private func confirmTOTP(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        return try await failing(context) {
            let codes = try await web.core.twoFactor.confirm(for: member, code: form.text("code"))
            return try await page(context, extra: ["recovery_codes": codes, "show_recovery_codes": true])
        }
    }

    private func disableTOTP(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        return try await failing(context) {
            try await web.core.twoFactor.disable(for: member, password: form.text("current_password"), code: form.text("code"),
                                                 address: context.clientAddress)
            return web.redirect("/settings/security", flash: Flash("totp_disabled"))
        }
    }

    private func createAppPassword(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        return try await failing(context) {
            let (password, created) = try await web.core.appPasswords.create(for: member, name: form.text("name"))
            let t = web.renderer.catalogue(context)
            return try await page(context, extra: ["new_password": password,
                                                   "new_password_text": t.text("app_passwords_created", ["name": created.name])])
        }
    }

    private func revokeAppPassword(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        _ = try await web.form(request, context)
        guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
        try await web.core.appPasswords.revoke(id, of: member)
        return web.redirect("/settings/security", flash: Flash("app_passwords_revoked"))
    }

    private func revokeApp(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        _ = try await web.form(request, context)
        guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
        try await web.core.oauth.revokeToken(id, of: member)
        return web.redirect("/settings/sessions", flash: Flash("sessions_revoked"))
    }
}
