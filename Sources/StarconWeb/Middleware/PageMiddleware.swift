import HTTPTypes
import Foundation
import Hummingbird
import Logging
import StarconCore

/// Resolves who is asking (session cookie) and in which language, sets the pre-session cookie the CSRF
/// token of a signed-out visitor is bound to, and turns every error into a page in that language.
struct PageMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let web: WebServices

    /// Paths that need no member or page chrome.
    static func isBare(_ path: String) -> Bool {
        path.hasPrefix("/static/") || path.hasPrefix("/media/") || path == "/healthz" || path == "/metrics" || APIMiddleware.isAPI(path)
            || path == "/sw.js" || path == "/manifest.webmanifest"
    }

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        if Self.isBare(request.uri.path) { return try await next(request, context) }
        var context = context
        let cookies = request.cookies
        var cookiesToSet: [Cookie] = []
        context.language = cookies[CookieName.language].flatMap { Language(rawValue: $0.value) }
            ?? Language.negotiate(request.headers[.acceptLanguage]) ?? .fallback
        // zone.js writes the name percent-encoded ("Asia%2FSeoul"): cookie values may not hold every character.
        if let zone = Self.timeZone(cookies[CookieName.timeZone]?.value.removingPercentEncoding) { context.timeZone = zone }
        var response: Response
        do {
            if let token = cookies[CookieName.session]?.value, !token.isEmpty {
                if let (session, member) = try await web.core.sessions.resolve(token: token, address: context.clientAddress) {
                    context.member = member
                    context.session = session
                    if request.method == .get {
                        context.unreadNotifications = try await web.core.notifications.unseenCount(for: member)
                        context.unreadMessages = try await web.core.messenger.unreadTotal(for: member)
                        context.unreadMail = try await web.core.mail.unreadInInbox(of: member)
                        context.warnings = try await web.core.accounts.pendingWarnings(of: member)
                    }
                    context.sessionToken = token
                    if let language = member.language.flatMap(Language.init(rawValue:)) { context.language = language }
                    if let zone = Self.timeZone(member.timeZone) { context.timeZone = zone }
                } else {
                    cookiesToSet.append(web.cookies.clear(CookieName.session))
                }
            }
            if context.sessionToken == nil {
                if let pre = cookies[CookieName.preSession]?.value, pre.count >= 32 {
                    context.preSession = pre
                } else if !request.uri.path.hasPrefix("/sites/") {
                    // Site pages carry no form and are cached publicly, so they set no cookie.
                    let pre = Secrets.token()
                    context.preSession = pre
                    cookiesToSet.append(web.cookies.make(CookieName.preSession, pre, maxAge: nil))
                }
            }
            if request.method == .get {
                context.pagePath = WebServices.safeLocalPath(request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")) ?? "/"
                context.announcements = try await web.core.announcements.views(
                    for: context.member, language: context.language.rawValue,
                    visitorDismissed: AnnouncementService.visitorDismissals(cookies[CookieName.dismissedAnnouncements]?.value))
                let hints = LinkHints(saveData: LinkHints.saveData(header: request.headers[Self.saveData]),
                                      revealed: request.uri.queryParameters["photos"] == "show")
                context.photos = try await web.core.accounts.photoPolicy(for: context.member, settings: web.core.settings, hints: hints)
            }
            if let flash = cookies[CookieName.flash]?.value {
                context.flash = Flash(cookieValue: flash).flatMap { web.renderer.catalogue(context).entries[$0.key] != nil ? $0 : nil }
                cookiesToSet.append(web.cookies.clear(CookieName.flash))
            }
            response = try await next(request, context)
        } catch {
            response = errorResponse(error, request: request, context: context)
        }
        let alreadySet = response.headers[values: .setCookie].compactMap { $0.split(separator: "=").first.map(String.init) }
        for cookie in cookiesToSet where !alreadySet.contains(cookie.name) {
            response.setCookie(cookie)
        }
        return response
    }

    func errorResponse(_ error: any Error, request: Request, context: WebContext) -> Response {
        let renderer = web.renderer
        switch error {
        case is LoginRequired:
            // Back to the same page after signing in, query included (the OAuth consent page needs it).
            let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            var allowed = CharacterSet.urlQueryAllowed
            allowed.remove(charactersIn: "&=?+#")
            let next = request.method == .get && target != "/" ? "?next=" + (target.addingPercentEncoding(withAllowedCharacters: allowed) ?? "/") : ""
            return WebServices.redirect("/login" + next)
        case let error as PageError:
            return renderer.errorPage(status: error.status, messageKey: error.messageKey, values: error.values, context: context)
        case let error as CoreError:
            let key: String? = error.kind == .notFound || error.key == "forbidden" ? nil : "error.\(error.key)"
            return renderer.errorPage(status: error.httpStatus, messageKey: key, values: error.messageValues, context: context)
        case let error as HTTPError:
            return renderer.errorPage(status: error.status, messageKey: nil, context: context)
        default:
            context.logger.error("request failed", metadata: ["error": .string(String(describing: type(of: error)))])
            web.logger.debug("request failure detail", metadata: ["error": .string(String(reflecting: error))])
            return renderer.errorPage(status: .internalServerError, messageKey: nil, context: context)
        }
    }

    /// A time zone by IANA name, if it is one (a cookie is the browser's word, so it is checked like a setting).
    static func timeZone(_ name: String?) -> TimeZone? {
        guard let name, (try? AccountRules.validateTimeZone(name)) != nil else { return nil }
        return TimeZone(identifier: name)
    }

    static let saveData = HTTPField.Name("Save-Data")!
}
