import Foundation
import Hummingbird
import StarconCore

/// Lists on the web, without JavaScript: make, rename and delete them, choose their members among the
/// accounts one follows, and read a list's timeline. The rules are `ListService`'s, the same as the API's.
struct ListRoutes {
    let web: WebServices
    let pages: FeedRoutes

    func add(to router: Router<WebContext>) {
        router.get("/lists") { _, context in try await index(context) }
        router.post("/lists") { request, context in try await create(request, context) }
        router.get("/lists/{id}") { request, context in try await show(request, context) }
        router.post("/lists/{id}/rename") { request, context in try await rename(request, context) }
        router.post("/lists/{id}/delete") { request, context in try await delete(request, context) }
        router.post("/lists/{id}/add") { request, context in try await changeMembers(request, context, adding: true) }
        router.post("/lists/{id}/remove") { request, context in try await changeMembers(request, context, adding: false) }
    }

    private func listID(_ context: WebContext) throws -> Int64 {
        guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
        return id
    }

    private func tabs(_ t: Catalogue) -> [[String: Any]] {
        FeedRoutes.tabs(t, current: "lists")
    }

    // MARK: All lists

    private func index(_ context: WebContext, title: String = "", error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        let lists = try await web.core.lists.lists(of: member)
        return web.renderer.page("lists", title: t.text("lists_title"), section: .feed, data: [
            "tabs": tabs(t), "lists": lists.map { ["id": String($0.id), "title": $0.title, "exclusive": $0.exclusive] as [String: Any] }, "empty": lists.isEmpty,
            "title_value": title, "error": error as Any,
        ], context: context, status: status)
    }

    private func create(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        return try await web.handlingFormErrors(context) {
            let list = try await web.core.lists.create(owner: member, title: form.text("title"), exclusive: form["exclusive"] != nil)
            return web.redirect("/lists/\(list.id)", flash: Flash("list_created"))
        } onError: { error, message in
            try await index(context, title: form.text("title"), error: message, status: error.httpStatus)
        }
    }

    // MARK: One list

    private func show(_ request: Request, _ context: WebContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let id = try listID(context)
        guard let list = try await web.core.lists.list(id, owner: member) else { throw PageError.notFound }
        let t = web.renderer.catalogue(context)
        let members = try await web.core.lists.members(id, owner: member, before: nil, limit: ListService.maxMembers)
        let memberIDs = Set(members.map(\.id))
        let following = try await web.core.relationships.accounts(.following, of: member.id, limit: ListService.maxMembers)
            .map(\.0).filter { !memberIDs.contains($0.id) }
        let result = try await web.core.feed.timeline(.list(id), viewer: member, page: FeedRoutes.pageRequest(request))
        let models = pages.model(context, member, returnTo: "/lists/\(id)")
        return web.renderer.page("list", title: list.title, section: .feed, data: [
            "tabs": tabs(t), "id": String(list.id), "title": list.title, "exclusive": list.exclusive, "error": error as Any,
            "members": members.map { ["account_id": String($0.id), "author": models.author($0)] as [String: Any] }, "has_members": !members.isEmpty,
            "candidates": following.map { ["id": String($0.id), "name": "\($0.displayName) (@\($0.username))"] }, "has_candidates": !following.isEmpty,
            "statuses": result.items.map { models.status($0) }, "empty": result.items.isEmpty,
            "older": result.items.count >= PageRequest().limit ? result.oldestCursor.map { "/lists/\(id)?max_id=\($0)" } ?? "" : "",
        ], context: context, status: status)
    }

    private func rename(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let id = try listID(context)
        let form = try await web.form(request, context)
        return try await web.handlingFormErrors(context) {
            _ = try await web.core.lists.update(id, owner: member, title: form.text("title"), repliesPolicy: nil,
                                                exclusive: form["exclusive"] != nil)
            return web.redirect("/lists/\(id)", flash: Flash("list_saved"))
        } onError: { error, message in
            try await show(request, context, error: message, status: error.httpStatus)
        }
    }

    private func delete(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let id = try listID(context)
        _ = try await web.form(request, context)
        try await web.core.lists.delete(id, owner: member)
        return web.redirect("/lists", flash: Flash("list_deleted"))
    }

    private func changeMembers(_ request: Request, _ context: WebContext, adding: Bool) async throws -> Response {
        let member = try web.member(context)
        let id = try listID(context)
        let form = try await web.form(request, context)
        guard let account = Int64(form.text("account_id")) else { throw PageError(.badRequest, messageKey: "error.list_not_followed") }
        return try await web.handlingFormErrors(context) {
            if adding {
                try await web.core.lists.add([account], to: id, owner: member)
            } else {
                try await web.core.lists.remove([account], from: id, owner: member)
            }
            return web.redirect("/lists/\(id)", flash: Flash(adding ? "list_member_added" : "list_member_removed"))
        } onError: { error, message in
            try await show(request, context, error: message, status: error.httpStatus)
        }
    }
}
