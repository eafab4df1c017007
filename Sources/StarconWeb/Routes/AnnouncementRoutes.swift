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
            let member = try web.member(context)
            let form = try await web.form(request, context)
            guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
            try await web.core.announcements.dismiss(id, by: member)
            return WebServices.redirect(WebServices.safeLocalPath(form.text("back")) ?? "/")
        }
        router.get("/announcements/live") { request, context in
            var context = context
            context.pagePath = WebServices.safeLocalPath(request.uri.queryParameters["back"].map(String.init)) ?? "/"
            return live(context)
        }
    }

    /// Events waiting for a slow page, at most: one that falls further behind is closed (EventSource reconnects).
    static let queueLimit = 64

    private func live(_ context: WebContext) -> Response {
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
            guard let view = try await core.announcements.view(id: id, for: member, language: language), !view.dismissed else { return [] }
            return [("announcement", renderer.announcementFragment(view, context: context).replacingOccurrences(of: "\n", with: " "))]
        })
    }
}
