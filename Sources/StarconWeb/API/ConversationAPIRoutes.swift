import Hummingbird
import StarconCore

/// `/api/v1/conversations`: one's threads of direct statuses (list, mark read, remove).
struct ConversationAPIRoutes {
    let api: APISupport
    var core: Core { api.web.core }

    func add(to router: Router<WebContext>) {
        router.get("/api/v1/conversations") { request, context in
            let viewer = try await api.member(request, "read:statuses")
            let input = try await APIInput.read(request, context: context)
            let list = try await core.feed.conversations(of: viewer, page: api.page(input))
            return JSON.response(list.map(api.entities.conversation),
                                 headers: api.linkHeader(request, newest: list.first?.lastStatus.status.id, oldest: list.last?.lastStatus.status.id))
        }
        router.post("/api/v1/conversations/{id}/read") { request, context in
            let viewer = try await api.member(request, "write:conversations")
            return JSON.response(api.entities.conversation(try await core.feed.markConversationRead(try api.id(context), by: viewer)))
        }
        router.delete("/api/v1/conversations/{id}") { request, context in
            let viewer = try await api.member(request, "write:conversations")
            try await core.feed.removeConversation(try api.id(context), by: viewer)
            return JSON.response([String: Any]())
        }
    }
}

extension MastodonEntities.Context {
    /// Mastodon's Conversation.
    func conversation(_ conversation: DirectConversation) -> [String: Any] {
        ["id": String(conversation.id), "unread": conversation.unread, "accounts": conversation.accounts.map { account($0) },
         "last_status": status(conversation.lastStatus)]
    }
}
