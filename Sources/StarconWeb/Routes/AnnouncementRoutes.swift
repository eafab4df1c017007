import Foundation
import Hummingbird
import NIOCore
import StarconCore

/// Announcements on the web: dismissing one (a form, so it works without script, back to the same page)
/// and the live stream `announce.js` listens to (server-sent events with each announcement rendered in the
/// viewer's language). The layout shows the live ones on every page (`PageMiddleware`, `Renderer`).
struct AnnouncementRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.post("/announcements/{id}/dismiss") { request, context in
            let form = try await web.form(request, context)
            guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
            guard let member = context.member else { return try await dismissForVisitor(id, request: request) }
            try await web.core.announcements.dismiss(id, by: member)
            return WebServices.redirect(WebServices.safeLocalPath(form.text("back")) ?? "/")
        }
        router.get("/announcements/live") { request, context in
            var context = context
            // A visitor's fragments carry no return path, as their pages do not (`Renderer`).
            context.pagePath = context.member == nil ? "/" : WebServices.safeLocalPath(request.uri.queryParameters["back"].map(String.init)) ?? "/"
            let dismissed = AnnouncementService.visitorDismissals(request.cookies[CookieName.dismissedAnnouncements]?.value)
            return live(context, visitorDismissed: dismissed)
        }
    }

    /// A visitor's dismissal lives in their browser (a cookie of plain ids). Their page carries no return path
    /// (it would echo whatever address they were sent to); the browser's same-origin Referer says where they
    /// were, and only its local path is used.
    private func dismissForVisitor(_ id: Int64, request: Request) async throws -> Response {
        let already = AnnouncementService.visitorDismissals(request.cookies[CookieName.dismissedAnnouncements]?.value)
        let value = try await web.core.announcements.dismissForVisitor(id, already: already)
        var response = WebServices.redirect(Self.localPath(ofReferer: request.headers[.referer]) ?? "/")
        response.setCookie(web.cookies.make(CookieName.dismissedAnnouncements, value, maxAge: 90 * 86_400))
        return response
    }

    /// The path (and query) of the Referer, whatever origin it names, so the redirect never leaves this site.
    static func localPath(ofReferer referer: String?) -> String? {
        guard let referer, let url = URLComponents(string: referer), !url.path.isEmpty else { return nil }
        let path = url.percentEncodedPath + (url.percentEncodedQuery.map { "?" + $0 } ?? "")
        return WebServices.safeLocalPath(path)
    }

    /// Events waiting for a slow page, at most: one that falls further behind is closed (EventSource reconnects).
    static let queueLimit = 64

    private func live(_ context: WebContext, visitorDismissed: Set<Int64>) -> Response {
        let core = web.core, renderer = web.renderer, member = context.member, language = context.language.rawValue
        let token = context.sessionToken, address = context.clientAddress
        let stillValid: @Sendable () async throws -> Bool = {
            guard let token else { return true }
            return try await core.sessions.resolve(token: token, address: address) != nil
        }
        return EventStreamBody.response(queueLimit: Self.queueLimit, greeting: "retry: 5000\n\n", subscribe: { queue in
            // Only what this stream sends or ends on goes into its queue.
            core.events.sink(accountID: member?.id, deliver: { event in
                switch event.payload {
                case .announcement, .accountEnded, .credentialsRevoked, .reload:
                    if case .dropped = queue.yield(.event(event)) { return false }
                default: break
                }
                return true
            }, overflowed: { queue.finish() })
        }, frames: { event in
            if let member, await StreamEnding.reason(event, member: member, stillValid: stillValid) != nil { return nil }
            guard case .announcement(let id, let ended) = event.payload else { return [] }
            if ended { return [("announcement.delete", String(id))] }
            guard let view = try await core.announcements.view(id: id, for: member, language: language, visitorDismissed: visitorDismissed),
                  !view.dismissed else { return [] }
            return [("announcement", renderer.announcementFragment(view, context: context).replacingOccurrences(of: "\n", with: " "))]
        })
    }
}
