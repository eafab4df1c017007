import Foundation
import Hummingbird
import StarconCore

/// The Mastodon client API's front door: app registration, OAuth 2, the signed-in account, the instance.
struct OAuthRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.post("/api/v1/apps") { request, context in try await registerApp(request, context) }
        router.get("/oauth/authorize") { request, context in try await authorizePage(request, context) }
        router.post("/oauth/authorize") { request, context in try await authorize(request, context) }
        router.post("/oauth/token") { request, context in try await token(request, context) }
        router.post("/oauth/revoke") { request, context in try await revoke(request, context) }
        router.get("/api/v1/accounts/verify_credentials") { request, context in try await verifyCredentials(request, context) }
        router.get("/api/v1/instance") { _, _ in try await instance(version: 1) }
        router.get("/api/v2/instance") { _, _ in try await instance(version: 2) }
        router.get("/api/v1/custom_emojis") { _, _ in JSON.response([Any]()) }
    }

    // MARK: Bearer tokens

    /// The grant behind `Authorization: Bearer …` (or `access_token=` for clients that cannot set headers).
    static func grant(_ request: Request, core: Core, scope: String) async throws -> TokenGrant {
        var token = request.headers[.authorization].flatMap { header -> String? in
            let parts = header.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "bearer" ? String(parts[1]) : nil
        }
        if token == nil { token = request.uri.queryParameters["access_token"].map(String.init) }
        guard let token, !token.isEmpty, let grant = try await core.oauth.resolve(token: token) else { throw APIError.unauthorized }
        // An empty scope: any valid token (as for the app's own verify_credentials).
        guard scope.isEmpty || grant.scopes.grants(scope) else {
            throw APIError(.forbidden, "This action is outside the authorized scopes")
        }
        return grant
    }

    static func member(_ request: Request, core: Core, scope: String) async throws -> Account {
        guard let account = try await grant(request, core: core, scope: scope).account else {
            throw APIError(.unprocessableContent, "This method requires an authenticated user")
        }
        return account
    }

    // MARK: Apps

    private func registerApp(_ request: Request, _ context: WebContext) async throws -> Response {
        let input = try await APIInput.read(request, context: context)
        let (app, secret) = try await web.core.oauth.registerApp(
            name: input.text("client_name"), redirectURIs: input.text("redirect_uris"), scopes: input.text("scopes"),
            website: input.text("website"), address: context.clientAddress)
        return JSON.response([
            "id": String(app.id), "name": app.name, "website": app.website.isEmpty ? NSNull() as Any : app.website as Any,
            "redirect_uri": app.redirectURIs.joined(separator: "\n") as String, "redirect_uris": app.redirectURIs,
            "client_id": app.clientID, "client_secret": secret, "scopes": app.scopes.values.sorted(), "vapid_key": "",
        ])
    }

    // MARK: Authorization code flow

    private func authorizePage(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let query = request.uri.queryParameters
        let t = web.renderer.catalogue(context)
        let clientID = query["client_id"].map(String.init) ?? ""
        let redirectURI = query["redirect_uri"].map(String.init) ?? ""
        let scope = query["scope"].map(String.init) ?? "read"
        guard query["response_type"].map(String.init) ?? "code" == "code" else { throw PageError(.badRequest, messageKey: "error.invalid_input") }
        let (app, scopes) = try await web.core.oauth.validateAuthorization(clientID: clientID, redirectURI: redirectURI, scopes: scope)
        return web.renderer.page("oauth_authorize", title: t.text("oauth_title"), data: [
            "app_name": app.name, "website": app.website,
            "scopes": scopes.values.sorted().map { ["name": $0, "label": t.entries["oauth_scope_\($0)"] != nil ? t.text("oauth_scope_\($0)") : $0] },
            "client_id": clientID, "redirect_uri": redirectURI, "scope": scopes.description,
            "state": query["state"].map(String.init) ?? "", "member": web.renderer.memberValues(member, catalogue: t),
            // The page that grants an app access runs no script at all: nothing on it can be changed or clicked for
            // the member.
            "scriptless": true,
        ], context: context)
    }

    private func authorize(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        let (app, scopes) = try await web.core.oauth.validateAuthorization(
            clientID: form.text("client_id"), redirectURI: form.text("redirect_uri"), scopes: form.text("scope"))
        let redirectURI = form.text("redirect_uri")
        let state = form.text("state")
        guard form.text("decision") == "approve" else {
            if redirectURI == OAuthService.outOfBand { return WebServices.redirect("/") }
            return WebServices.redirect(Self.append(to: redirectURI, ["error": "access_denied", "state": state]))
        }
        let code = try await web.core.oauth.issueCode(app: app, account: member, scopes: scopes, redirectURI: redirectURI)
        if redirectURI == OAuthService.outOfBand {
            let t = web.renderer.catalogue(context)
            return web.renderer.page("oauth_code", title: t.text("oauth_title"), data: ["code": code, "app_name": app.name, "scriptless": true], context: context)
        }
        return WebServices.redirect(Self.append(to: redirectURI, ["code": code, "state": state]))
    }

    static func append(to uri: String, _ parameters: [String: String]) -> String {
        var components = URLComponents(string: uri) ?? URLComponents()
        var items = components.queryItems ?? []
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) where !value.isEmpty {
            items.append(URLQueryItem(name: name, value: value))
        }
        components.queryItems = items
        return components.string ?? uri
    }

    // MARK: Tokens

    private func token(_ request: Request, _ context: WebContext) async throws -> Response {
        let input = try await APIInput.read(request, context: context)
        var clientID = input.text("client_id"), clientSecret = input.text("client_secret")
        if clientID.isEmpty, let basic = Self.basicCredentials(request) { (clientID, clientSecret) = basic }
        let grant: OAuthService.Grant
        switch input.text("grant_type") {
        case "authorization_code":
            grant = .authorizationCode(code: input.text("code"), redirectURI: input.text("redirect_uri"))
        case "password":
            grant = .password(username: input.text("username"), password: input.text("password"), scopes: input.text("scope"),
                              address: context.clientAddress)
        case "client_credentials":
            grant = .clientCredentials(scopes: input.text("scope"))
        default:
            throw APIError(.badRequest, "The grant type is not supported", code: "unsupported_grant_type")
        }
        do {
            let (token, scopes, createdAt) = try await web.core.oauth.token(clientID: clientID, clientSecret: clientSecret, grant: grant)
            return JSON.response(["access_token": token, "token_type": "Bearer", "scope": scopes.description, "created_at": createdAt / 1000])
        } catch let error as CoreError {
            switch error.key {
            case "invalid_client": throw APIError(.unauthorized, "Client authentication failed", code: "invalid_client")
            case "login_failed": throw APIError(.badRequest, "The provided authorization grant is invalid", code: "invalid_grant")
            case "invalid_grant": throw APIError(.badRequest, "The provided authorization grant is invalid, expired or revoked", code: "invalid_grant")
            case "invalid_scope": throw APIError(.badRequest, "The requested scope is invalid", code: "invalid_scope")
            case "totp_requires_browser":
                throw APIError(.badRequest, "Two-factor authentication is on for this account: sign in through the browser (the authorization code flow)",
                               code: "invalid_grant")
            case "password_reset_required":
                throw APIError(.badRequest, "This account is locked: set a new password with the link from an admin", code: "invalid_grant")
            default: throw error
            }
        }
    }

    static func basicCredentials(_ request: Request) -> (String, String)? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
              let data = Data(base64Encoded: String(header.dropFirst(6))), let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    private func revoke(_ request: Request, _ context: WebContext) async throws -> Response {
        let input = try await APIInput.read(request, context: context)
        do {
            try await web.core.oauth.revoke(token: input.text("token"), clientID: input.text("client_id"), clientSecret: input.text("client_secret"))
        } catch let error as CoreError where error.key == "invalid_client" || error.key == "unauthorized_client" {
            throw APIError(.forbidden, "You are not authorized to revoke this token", code: "unauthorized_client")
        }
        return JSON.response([String: Any]())
    }

    // MARK: Account and instance

    private func verifyCredentials(_ request: Request, _ context: WebContext) async throws -> Response {
        let account = try await Self.member(request, core: web.core, scope: "read:accounts")
        var json = MastodonEntities.account(account, publicURL: web.publicURL, domain: web.renderer.instanceName, assets: web.renderer.assets,
                                            source: try await web.core.accounts.postingDefaults(of: account))
        let counts = try await web.core.relationships.counts(account.id)
        json["statuses_count"] = counts.statuses
        json["followers_count"] = counts.followers
        json["following_count"] = counts.following
        return JSON.response(json)
    }

    private func instance(version: Int) async throws -> Response {
        let mode = try await web.core.registration.mode()
        let users = try await web.core.accounts.count(status: .active)
        return JSON.response(MastodonEntities.instance(version: version, domain: web.renderer.instanceName, publicURL: web.publicURL,
                                                       registrationMode: mode, userCount: users))
    }
}
