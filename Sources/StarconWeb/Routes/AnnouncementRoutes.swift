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
        let body = ResponseBody { writer in
            enum Step: Sendable { case event(Event), heartbeat }
            let (steps, queue) = AsyncStream<Step>.makeStream(bufferingPolicy: .bufferingOldest(Self.queueLimit))
            // Only what this stream sends or ends on goes into its queue.
            let sink = core.events.sink(accountID: member?.id, deliver: { event in
                switch event.payload {
                case .announcement, .accountEnded, .credentialsRevoked, .reload:
                    if case .dropped = queue.yield(.event(event)) { return false }
                default: break
                }
                return true
            }, overflowed: { queue.finish() })
            defer { sink.cancel() }
            let token = context.sessionToken, address = context.clientAddress
            let stillValid: @Sendable () async throws -> Bool = {
                guard let token else { return true }
                return try await core.sessions.resolve(token: token, address: address) != nil
            }
            try await writer.write(ByteBuffer(string: "retry: 5000\n\n"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .seconds(15))
                        queue.yield(.heartbeat)
                    }
                }
                stepping: for await step in steps {
                    switch step {
                    case .event(let event):
                        if let member, await StreamEnding.reason(event, member: member, stillValid: stillValid) != nil { break stepping }
                        guard case .announcement(let id, let ended) = event.payload else { continue }
                        if ended {
                            try await writer.write(ByteBuffer(string: "event: announcement.delete\ndata: \(id)\n\n"))
                        } else if let view = try await core.announcements.view(id: id, for: member, language: language), !view.dismissed {
                            let html = renderer.announcementFragment(view, context: context).replacingOccurrences(of: "\n", with: " ")
                            try await writer.write(ByteBuffer(string: "event: announcement\ndata: \(html)\n\n"))
                        }
                    case .heartbeat: try await writer.write(ByteBuffer(string: ":thump\n\n"))
                    }
                }
                group.cancelAll()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"], body: body)
    }
}
