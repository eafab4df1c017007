import Hummingbird
import StarconCore

/// Starting a conversation: a page of its own behind the list's "New conversation" button, with a member
/// picker. Without script, a search form lists the members whose name matches, to tick; with script, the
/// usernames field completes from `/suggest/people` (`SuggestRoutes`).
struct MessengerStartRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.get("/messages/new") { request, context in try await page(request, context) }
    }

    /// The page; `form` carries a refused start back (the fields and the error).
    func page(_ request: Request, _ context: WebContext, form: [String: String] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        let query = FormInput.query(request)["q"]?.trimmingCharacters(in: .whitespaces) ?? ""
        var data: [String: Any] = ["q": query, "members": form["members"] ?? FormInput.query(request)["members"] ?? "",
                                   "chat_title": form["title"] ?? ""]
        if let error = form["error"] { data["error"] = error }
        if !query.isEmpty {
            let matches = try await SuggestRoutes.people(query, viewer: member, core: web.core).map { ["username": $0.username, "display_name": $0.displayName] }
            if matches.isEmpty { data["no_matches"] = true } else { data["matches"] = matches; data["has_matches"] = true }
        }
        return web.renderer.page("messenger_new", title: t.text("messenger_start"), section: .messages, data: data,
                                 context: context, status: status)
    }
}
