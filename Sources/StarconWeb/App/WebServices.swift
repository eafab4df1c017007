import Hummingbird
import Logging
import StarconCore

/// What the web front end needs, built once: the core, the renderer, CSRF and cookie settings.
struct WebServices: Sendable {
    let core: Core
    let renderer: Renderer
    let csrf: CSRFTokens
    let cookies: CookieFactory
    let publicURL: String
    let logger: Logger
    /// Status JSON shared by the API and its streams.
    let statusJSON = StatusJSONCache()

    func form(_ request: Request, _ context: WebContext) async throws -> FormInput {
        try await FormInput.read(request, context: context, csrf: csrf)
    }

    /// A form that may carry photos (a post, a message): larger than other forms, for signed-in members only.
    func uploadForm(_ request: Request, _ context: WebContext) async throws -> FormInput {
        try await FormInput.read(request, context: context, csrf: csrf, uploads: true)
    }

    /// The signed-in member, or a redirect to the sign-in page.
    func member(_ context: WebContext) throws -> Account {
        guard let member = context.member else { throw LoginRequired() }
        return member
    }

    /// The signed-in member if they may use the admin pages (`Permissions.instance`).
    func staff(_ context: WebContext) throws -> Account {
        let member = try member(context)
        guard Permissions.instance(member).administer else { throw PageError.forbidden }
        return member
    }

    /// The signed-in member if they may approve registrations (the admins' pages).
    func admin(_ context: WebContext) throws -> Account {
        let member = try member(context)
        guard Permissions.instance(member).approveRegistrations else { throw PageError.forbidden }
        return member
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// A redirect that shows `flash` on the next page.
    func redirect(_ location: String, flash: Flash) -> Response {
        var response = Self.redirect(location)
        response.setCookie(cookies.make(CookieName.flash, flash.cookieValue, maxAge: 60))
        return response
    }

    /// The error's message in the member's language, for a form.
    func message(for error: CoreError, _ context: WebContext) -> String {
        renderer.catalogue(context).text("error.\(error.key)", error.messageValues)
    }

    /// Runs `body`; a `CoreError` of kind invalid/conflict/throttled/unauthenticated becomes the form page
    /// again with the message, via `onError`. Other errors go to the error page.
    func handlingFormErrors(
        _ context: WebContext, _ body: () async throws -> Response,
        onError: (CoreError, String) async throws -> Response
    ) async throws -> Response {
        do {
            return try await body()
        } catch let error as CoreError where error.kind != .notFound && !(error.kind == .forbidden && error.key == "forbidden") {
            return try await onError(error, message(for: error, context))
        }
    }

    /// Only same-site paths are followed after sign-in or a language switch: "/" alone, or "/" and then a
    /// path character, so never "//host" or "/\host" (which browsers read as another site), and nowhere a
    /// control character or whitespace (a browser drops tabs and newlines from a URL, so "/\t/host" would
    /// become "//host").
    static func safeLocalPath(_ path: String?) -> String? {
        guard let path, path.hasPrefix("/") else { return nil }
        let scalars = path.unicodeScalars
        if let second = scalars.dropFirst().first, second == "/" { return nil }
        guard scalars.allSatisfy({ $0 != "\\" && !$0.properties.isWhitespace && $0.properties.generalCategory != .control }) else {
            return nil
        }
        return path
    }
}

struct LoginRequired: Error {}
