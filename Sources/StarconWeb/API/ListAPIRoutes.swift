import Hummingbird
import StarconCore

/// `/api/v1/lists` (CRUD and members), `/api/v1/timelines/list/:id` and `/api/v1/accounts/:id/lists`.
struct ListAPIRoutes {
    let api: APISupport
    var core: Core { api.web.core }

    func add(to router: Router<WebContext>) {
        router.get("/api/v1/lists") { request, _ in
            let owner = try await api.member(request, "read:lists")
            return JSON.response(try await core.lists.lists(of: owner).map(listJSON))
        }
        router.post("/api/v1/lists") { request, context in
            let owner = try await api.member(request, "write:lists")
            let input = try await APIInput.read(request, context: context)
            let list = try await core.lists.create(owner: owner, title: input.text("title"), repliesPolicy: try policy(input) ?? .list,
                                                   exclusive: input.flag("exclusive") ?? false)
            return JSON.response(listJSON(list))
        }
        router.get("/api/v1/lists/{id}") { request, context in
            let owner = try await api.member(request, "read:lists")
            guard let list = try await core.lists.list(try api.id(context), owner: owner) else { throw APIError.notFound }
            return JSON.response(listJSON(list))
        }
        router.put("/api/v1/lists/{id}") { request, context in
            let owner = try await api.member(request, "write:lists")
            let input = try await APIInput.read(request, context: context)
            let list = try await core.lists.update(try api.id(context), owner: owner, title: input["title"], repliesPolicy: try policy(input),
                                                   exclusive: input.flag("exclusive"))
            return JSON.response(listJSON(list))
        }
        router.delete("/api/v1/lists/{id}") { request, context in
            let owner = try await api.member(request, "write:lists")
            try await core.lists.delete(try api.id(context), owner: owner)
            return JSON.response([String: Any]())
        }
        router.get("/api/v1/lists/{id}/accounts") { request, context in
            let owner = try await api.member(request, "read:lists")
            let input = try await APIInput.read(request, context: context)
            let limit = input.id("limit").map { Int(clamping: $0) } ?? 40
            // limit=0 means all of them, as Mastodon pages it.
            let members = try await core.lists.members(try api.id(context), owner: owner, before: input.id("max_id"),
                                                       limit: limit <= 0 ? ListService.maxMembers : min(limit, 80))
            return JSON.response(members.map { api.entities.account($0) },
                                 headers: api.linkHeader(request, newest: members.first?.id, oldest: members.last?.id))
        }
        router.post("/api/v1/lists/{id}/accounts") { request, context in
            let owner = try await api.member(request, "write:lists")
            let input = try await APIInput.read(request, context: context)
            try await core.lists.add(try accountIDs(input), to: try api.id(context), owner: owner)
            return JSON.response([String: Any]())
        }
        router.delete("/api/v1/lists/{id}/accounts") { request, context in
            let owner = try await api.member(request, "write:lists")
            let input = try await APIInput.read(request, context: context)
            try await core.lists.remove(try accountIDs(input), from: try api.id(context), owner: owner)
            return JSON.response([String: Any]())
        }
        router.get("/api/v1/accounts/{id}/lists") { request, context in
            let owner = try await api.member(request, "read:lists")
            return JSON.response(try await core.lists.lists(of: owner, containing: try api.id(context)).map(listJSON))
        }
        router.get("/api/v1/timelines/list/{id}") { request, context in
            let viewer = try await api.member(request, "read:lists")
            let input = try await APIInput.read(request, context: context)
            let page = try await core.feed.timeline(.list(try api.id(context)), viewer: viewer, page: api.page(input))
            return JSON.response(page.items.map(api.entities.status), headers: api.linkHeader(request, newest: page.newestCursor, oldest: page.oldestCursor))
        }
    }

    private func policy(_ input: APIInput) throws -> FeedList.RepliesPolicy? {
        guard let raw = input["replies_policy"], !raw.isEmpty else { return nil }
        guard let policy = FeedList.RepliesPolicy(rawValue: raw) else {
            throw APIError(.unprocessableContent, "Validation failed: Replies policy is not included in the list")
        }
        return policy
    }

    private func accountIDs(_ input: APIInput) throws -> [Int64] {
        let ids = input.list("account_ids").compactMap { Int64($0) }
        guard !ids.isEmpty else { throw APIError(.unprocessableContent, "Validation failed: account_ids is missing") }
        return ids
    }

    /// Mastodon's List.
    func listJSON(_ list: FeedList) -> [String: Any] {
        ["id": String(list.id), "title": list.title, "replies_policy": list.repliesPolicy.rawValue, "exclusive": list.exclusive]
    }
}
