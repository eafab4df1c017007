import Hummingbird
import StarconCore

/// Sign-in, sign-out, first-run setup and registration.
struct AuthRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.get("/login") { request, context in try await loginPage(request, context) }
        router.post("/login") { request, context in try await login(request, context) }
        router.post("/login/code") { request, context in try await loginCode(request, context) }
        router.post("/logout") { request, context in try await logout(request, context) }
        router.get("/setup/{token}") { request, context in try await setupPage(context) }
        router.post("/setup/{token}") { request, context in try await setup(request, context) }
        router.get("/register") { request, context in try await registerPage(code: nil, context) }
        router.get("/invite/{code}") { request, context in
            try await registerPage(code: context.parameters.get("code") ?? "", context)
        }
        router.post("/register") { request, context in try await register(request, context) }
    }

    // MARK: Sign in

    private func loginPage(_ request: Request, _ context: WebContext, username: String = "", error: String? = nil,
                           status: HTTPResponse.Status = .ok) async throws -> Response {
        if context.member != nil && error == nil { return WebServices.redirect("/") }
        let t = web.renderer.catalogue(context)
        let mode = try await web.core.registration.mode()
        return web.renderer.page("login", title: t.text("login_title"), data: [
            "username": username,
            "error": error as Any,
            "next": WebServices.safeLocalPath(request.uri.queryParameters["next"].map(String.init)) ?? "",
            "can_register": mode != .invitation,
        ], context: context, status: status)
    }

    private func login(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await web.form(request, context)
        let username = form.text("username").trimmingCharacters(in: .whitespaces)
        let next = WebServices.safeLocalPath(form["next"]) ?? "/"
        return try await web.handlingFormErrors(context) {
            switch try await web.core.signIn.password(username: username, password: form.text("password"), address: context.clientAddress) {
            case .signedIn(let member):
                return try await startSession(for: member, request: request, context: context, location: next)
            case .needsCode(let challenge):
                return codePage(context, challenge: challenge, next: next)
            }
        } onError: { error, message in
            var response = try await loginPage(request, context, username: username, error: message, status: error.httpStatus)
            if let seconds = error.retryAfterSeconds { response.headers[.retryAfter] = String(seconds) }
            return response
        }
    }

    /// The second step for members with TOTP: the challenge rides in the form (no cookie), so the page
    /// works with JavaScript off and the OAuth authorize page's `next` survives.
    private func codePage(_ context: WebContext, challenge: String, next: String, error: String? = nil,
                          status: HTTPResponse.Status = .ok) -> Response {
        let t = web.renderer.catalogue(context)
        return web.renderer.page("login_code", title: t.text("totp_login_title"), data: [
            "challenge": challenge, "next": next, "error": error as Any,
        ], context: context, status: status)
    }

    private func loginCode(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await web.form(request, context)
        let next = WebServices.safeLocalPath(form["next"]) ?? "/"
        let challenge = form.text("challenge")
        return try await web.handlingFormErrors(context) {
            let member = try await web.core.signIn.code(challenge: challenge, code: form.text("code"), address: context.clientAddress)
            return try await startSession(for: member, request: request, context: context, location: next)
        } onError: { error, message in
            if error.key == "sign_in_expired" {
                return try await loginPage(request, context, error: message, status: error.httpStatus)
            }
            var response = codePage(context, challenge: challenge, next: next, error: message, status: error.httpStatus)
            if let seconds = error.retryAfterSeconds { response.headers[.retryAfter] = String(seconds) }
            return response
        }
    }

    private func startSession(for member: Account, request: Request, context: WebContext, location: String, flash: Flash? = nil) async throws -> Response {
        let (token, _) = try await web.core.sessions.start(
            for: member, userAgent: request.headers[.userAgent] ?? "", address: context.clientAddress)
        var response = flash.map { web.redirect(location, flash: $0) } ?? WebServices.redirect(location)
        response.setCookie(web.cookies.make(CookieName.session, token, maxAge: Int(web.core.sessions.lifetime / 1000)))
        response.setCookie(web.cookies.clear(CookieName.preSession))
        return response
    }

    private func logout(_ request: Request, _ context: WebContext) async throws -> Response {
        _ = try await web.form(request, context)
        if let token = context.sessionToken { try await web.core.sessions.end(token: token) }
        var response = WebServices.redirect("/login")
        response.setCookie(web.cookies.clear(CookieName.session))
        return response
    }

    // MARK: First-run setup

    private func setupPage(_ context: WebContext, values: [String: String] = [:], error: String? = nil,
                           status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = web.renderer.catalogue(context)
        let token = context.parameters.get("token") ?? ""
        guard try await web.core.setup.isValid(token: token) else {
            return web.renderer.page("message", title: t.text("setup_title"), data: ["text": t.text("setup_invalid")],
                                     context: context, status: .notFound)
        }
        return web.renderer.page("setup", title: t.text("setup_title"), data: [
            "token": token, "values": values, "error": error as Any,
        ], context: context, status: status)
    }

    private func setup(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await web.form(request, context)
        let token = context.parameters.get("token") ?? ""
        let values = ["username": form.text("username"), "display_name": form.text("display_name")]
        return try await web.handlingFormErrors(context) {
            guard form.text("password") == form.text("password_confirm") else { throw CoreError.invalid("password_mismatch", field: "password") }
            let admin = try await web.core.setup.complete(
                token: token, username: form.text("username"), displayName: form.text("display_name"),
                password: form.text("password"), language: context.language.rawValue)
            return try await startSession(for: admin, request: request, context: context, location: "/admin",
                                          flash: Flash("register_welcome", ["name": admin.displayName, "instance": web.renderer.instanceName]))
        } onError: { error, message in
            try await setupPage(context, values: values, error: message, status: error.httpStatus)
        }
    }

    // MARK: Registration

    private func registerPage(code: String?, _ context: WebContext, values: [String: String] = [:], error: String? = nil,
                              status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = web.renderer.catalogue(context)
        let mode = try await web.core.registration.mode()
        let instance = ["instance": web.renderer.instanceName]
        if let code, !code.isEmpty {
            do {
                _ = try await web.core.invitations.check(code: code)
            } catch let error as CoreError {
                return web.renderer.page("message", title: t.text("register_title"), data: ["text": web.message(for: error, context)],
                                         context: context, status: .notFound)
            }
        } else if mode == .invitation {
            return web.renderer.page("message", title: t.text("register_title"),
                                     data: ["text": t.text("register_closed", instance)], context: context, status: .forbidden)
        }
        let intro = code?.isEmpty == false ? "register_intro_invite" : (mode == .approval ? "register_intro_approval" : "register_intro_open")
        return web.renderer.page("register", title: t.text("register_title"), data: [
            "code": code ?? "", "values": values, "error": error as Any, "intro": t.text(intro, instance),
            "ask_note": (code ?? "").isEmpty && mode == .approval,
        ], context: context, status: status)
    }

    private func register(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await web.form(request, context)
        let code = form.text("code")
        let values = ["username": form.text("username"), "display_name": form.text("display_name"), "note": form.text("note")]
        return try await web.handlingFormErrors(context) {
            guard form.text("password") == form.text("password_confirm") else { throw CoreError.invalid("password_mismatch", field: "password") }
            let member = try await web.core.registration.register(.init(
                username: form.text("username"), displayName: form.text("display_name"), password: form.text("password"),
                invitationCode: code, note: form.text("note"), language: context.language.rawValue))
            if member.status == .pending {
                let t = web.renderer.catalogue(context)
                return web.renderer.page("message", title: t.text("register_pending_title"),
                                         data: ["text": t.text("register_pending_text")], context: context)
            }
            return try await startSession(for: member, request: request, context: context, location: "/",
                                          flash: Flash("register_welcome", ["name": member.displayName, "instance": web.renderer.instanceName]))
        } onError: { error, message in
            try await registerPage(code: code, context, values: values, error: message, status: error.httpStatus)
        }
    }
}

import Foundation
