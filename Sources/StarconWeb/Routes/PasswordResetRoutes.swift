import Hummingbird
import StarconCore

/// The one-time link an admin hands the owner of a locked (hacked) account: set a new password, then sign in.
struct PasswordResetRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.get("/reset/{token}") { _, context in try await page(context) }
        router.post("/reset/{token}") { request, context in try await reset(request, context) }
    }

    private func page(_ context: WebContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = web.renderer.catalogue(context)
        let token = context.parameters.get("token") ?? ""
        guard let account = try await web.core.locks.account(forResetToken: token) else {
            return web.renderer.page("message", title: t.text("reset_title"), data: ["text": t.text("error.reset_link_invalid")],
                                     context: context, status: .notFound)
        }
        return web.renderer.page("reset_password", title: t.text("reset_title"), data: [
            "token": token, "username": account.username, "error": error as Any,
        ], context: context, status: status)
    }

    private func reset(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await web.form(request, context)
        let token = context.parameters.get("token") ?? ""
        return try await web.handlingFormErrors(context) {
            guard form.text("new_password") == form.text("new_password_confirm") else {
                throw CoreError.invalid("password_mismatch", field: "new_password")
            }
            _ = try await web.core.locks.resetPassword(token: token, newPassword: form.text("new_password"))
            return web.redirect("/login", flash: Flash("reset_done"))
        } onError: { error, message in
            try await page(context, error: message, status: error.httpStatus)
        }
    }
}
