import Foundation
import Hummingbird
import StarconCore

/// `/api/v1/accounts`: profiles, their statuses and follows, and following, blocking and muting them.
struct AccountAPIRoutes {
    let api: APISupport
    var core: Core { api.web.core }

    func add(to router: Router<WebContext>) {
        router.patch("/api/v1/accounts/update_credentials") { request, context in try await updateCredentials(request, context) }
        router.get("/api/v1/accounts/lookup") { request, context in
            let viewer = try await api.member(request, "read:accounts")
            let input = try await APIInput.read(request, context: context)
            guard let account = try await core.relationships.view(username: input.text("acct").split(separator: "@").first.map(String.init) ?? "",
                                                                  viewer: viewer)?.account else { throw APIError.notFound }
            return JSON.response(api.entities.account(account, counts: try await core.relationships.counts(account.id)))
        }
        router.get("/api/v1/accounts/search") { request, context in
            let viewer = try await api.member(request, "read:accounts")
            let input = try await APIInput.read(request, context: context)
            let found = try await core.accounts.search(input.text("q"), limit: Int(clamping: input.id("limit") ?? 20))
            return JSON.response(try await core.relationships.visible(found, to: viewer).map { api.entities.account($0) })
        }
        router.get("/api/v2/search") { request, context in
            let viewer = try await api.member(request, "read:search")
            let input = try await APIInput.read(request, context: context)
            let query = input.text("q"), type = input.text("type")
            var accounts: [[String: Any]] = [], hashtags: [[String: Any]] = []
            if type.isEmpty || type == "accounts" {
                accounts = try await core.relationships.visible(try await core.accounts.search(query, limit: Int(clamping: input.id("limit") ?? 20)),
                                                                to: viewer)
                    .filter { $0.id != viewer.id || query.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "@")) == $0.username.lowercased() }
                    .map { api.entities.account($0) }
            }
            if type.isEmpty || type == "hashtags", let tag = StatusText.validTag(query) {
                hashtags = [["name": tag, "url": "\(api.web.publicURL)/tags/\(tag.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? tag)",
                             "history": [Any]()]]
            }
            return JSON.response(["accounts": accounts, "statuses": [Any](), "hashtags": hashtags])
        }
        router.get("/api/v1/accounts/relationships") { request, context in
            let viewer = try await api.member(request, "read:follows")
            let input = try await APIInput.read(request, context: context)
            let relationships = try await core.relationships.relationships(viewer, input.list("id").compactMap { Int64($0) })
            return JSON.response(relationships.map(api.entities.relationship))
        }
        router.get("/api/v1/accounts/{id}") { request, context in
            let viewer = try await api.member(request, "read:accounts")
            let account = try await api.visibleAccount(context, viewer: viewer)
            return JSON.response(api.entities.account(account, counts: try await core.relationships.counts(account.id)))
        }
        router.get("/api/v1/accounts/{id}/statuses") { request, context in
            let viewer = try await api.member(request, "read:statuses")
            let account = try await api.visibleAccount(context, viewer: viewer)
            let input = try await APIInput.read(request, context: context)
            let page = try await core.feed.timeline(.account(account.id), viewer: viewer, page: api.page(input))
            var items = page.items
            if input.flag("exclude_reblogs") == true { items.removeAll { $0.reblog != nil } }
            if input.flag("exclude_replies") == true { items.removeAll { $0.status.inReplyToID != nil } }
            if input.flag("pinned") == true { items = [] }
            return JSON.response(items.map(api.entities.status),
                                 headers: api.linkHeader(request, newest: page.newestCursor, oldest: page.oldestCursor))
        }
        for (path, direction) in [("followers", RelationshipService.Direction.followers), ("following", .following)] {
            router.get("/api/v1/accounts/{id}/\(path)") { request, context in
                let viewer = try await api.member(request, "read:accounts")
                let account = try await api.visibleAccount(context, viewer: viewer)
                let input = try await APIInput.read(request, context: context)
                let rows = try await core.relationships.accounts(direction, of: account.id, before: input.id("max_id"),
                                                                 limit: Int(clamping: min(max(input.id("limit") ?? 40, 1), 80)))
                return JSON.response(rows.map { api.entities.account($0.0) },
                                     headers: api.linkHeader(request, newest: rows.first?.cursor, oldest: rows.last?.cursor))
            }
        }
        let actions: [(String, String, @Sendable (Core, Account, Account) async throws -> Relationship)] = [
            ("follow", "write:follows", { try await $0.relationships.follow($1, $2) }),
            ("unfollow", "write:follows", { try await $0.relationships.unfollow($1, $2) }),
            ("block", "write:blocks", { try await $0.relationships.block($1, $2) }),
            ("unblock", "write:blocks", { try await $0.relationships.unblock($1, $2) }),
            ("mute", "write:mutes", { try await $0.relationships.mute($1, $2) }),
            ("unmute", "write:mutes", { try await $0.relationships.unmute($1, $2) }),
        ]
        for (path, scope, action) in actions {
            router.post("/api/v1/accounts/{id}/\(path)") { request, context in
                let actor = try await api.member(request, scope)
                let target = try await api.account(context)
                return JSON.response(api.entities.relationship(try await action(core, actor, target)))
            }
        }
        router.get("/api/v1/follow_requests") { request, _ in
            let actor = try await api.member(request, "read:follows")
            let rows = try await core.relationships.accounts(.requests, of: actor.id)
            return JSON.response(rows.map { api.entities.account($0.0) })
        }
        for (path, accept) in [("authorize", true), ("reject", false)] {
            router.post("/api/v1/follow_requests/{id}/\(path)") { request, context in
                let actor = try await api.member(request, "write:follows")
                return JSON.response(api.entities.relationship(try await core.relationships.answerRequest(actor, from: try api.id(context), accept: accept)))
            }
        }
    }

    private func updateCredentials(_ request: Request, _ context: WebContext) async throws -> Response {
        var account = try await api.member(request, "write:accounts")
        let input = try await APIInput.read(request, context: context)
        if input["display_name"] != nil || input["note"] != nil {
            account = try await core.accounts.updateProfile(of: account, .init(displayName: input["display_name"] ?? account.displayName,
                                                                               bio: input["note"] ?? account.bio, language: account.language))
        }
        if let locked = input.flag("locked") {
            try await core.relationships.setLocked(account, locked)
            account.locked = locked
        }
        return JSON.response(api.entities.account(account, counts: try await core.relationships.counts(account.id), includeSource: true))
    }
}
