import Foundation
import Hummingbird
import StarconCore

/// `/api/starcon/v1`: the messenger's JSON API (docs/MESSENGER.md). Bearer tokens as for the Mastodon API,
/// with the `read:conversations` / `write:conversations` scopes (or `read` / `write`).
struct MessengerAPIRoutes {
    let api: APISupport
    var core: Core { api.web.core }
    var json: MessengerJSON { MessengerJSON(publicURL: api.web.publicURL, assets: api.web.renderer.assets) }
    static let base = "/api/starcon/v1"

    func add(to router: Router<WebContext>) {
        let base = Self.base
        router.post("\(base)/conversations") { request, context in
            let member = try await api.member(request, "write:conversations")
            let input = try await APIInput.read(request, context: context)
            let view = try await core.messenger.start(creator: member, usernames: input.list("members"), title: input.text("title"),
                                                      group: input.flag("group") ?? false)
            return JSON.response(json.conversation(view))
        }
        router.get("\(base)/conversations") { request, context in
            let member = try await api.member(request, "read:conversations")
            let input = try await APIInput.read(request, context: context)
            let limit = input.id("limit").map { Int(clamping: $0) } ?? 100
            return JSON.response(try await core.messenger.conversations(viewer: member, limit: limit).map(json.conversation))
        }
        router.get("\(base)/conversations/{id}") { request, context in
            let member = try await api.member(request, "read:conversations")
            return JSON.response(json.conversation(try await core.messenger.conversation(id: try api.id(context), viewer: member)))
        }
        router.patch("\(base)/conversations/{id}") { request, context in
            let member = try await api.member(request, "write:conversations")
            let input = try await APIInput.read(request, context: context)
            return JSON.response(json.conversation(try await core.messenger.setTitle(actor: member, conversationID: try api.id(context), title: input.text("title"))))
        }
        router.post("\(base)/conversations/{id}/members") { request, context in
            let member = try await api.member(request, "write:conversations")
            let input = try await APIInput.read(request, context: context)
            return JSON.response(json.conversation(try await core.messenger.addMembers(actor: member, conversationID: try api.id(context), usernames: input.list("members"))))
        }
        router.delete("\(base)/conversations/{id}/members/{account_id}") { request, context in
            let member = try await api.member(request, "write:conversations")
            let view = try await core.messenger.removeMember(actor: member, conversationID: try api.id(context), accountID: try api.id(context, "account_id"))
            return JSON.response(view.map(json.conversation) ?? [:])
        }
        router.post("\(base)/conversations/{id}/leave") { request, context in
            let member = try await api.member(request, "write:conversations")
            try await core.messenger.leave(actor: member, conversationID: try api.id(context))
            return JSON.response([String: Any]())
        }
        for (path, muted) in [("mute", true), ("unmute", false)] {
            router.post("\(base)/conversations/{id}/\(path)") { request, context in
                let member = try await api.member(request, "write:conversations")
                return JSON.response(json.conversation(try await core.messenger.setMuted(actor: member, conversationID: try api.id(context), muted: muted)))
            }
        }
        router.get("\(base)/conversations/{id}/messages") { request, context in
            let member = try await api.member(request, "read:conversations")
            let input = try await APIInput.read(request, context: context)
            let page = try await core.messenger.messages(
                viewer: member, conversationID: try api.id(context), before: input.id("before"), after: input.id("after"),
                limit: input.id("limit").map { Int(clamping: $0) } ?? MessengerRules.defaultPageSize)
            return JSON.response(page.messages.map(json.message))
        }
        router.get("\(base)/conversations/{id}/search") { request, context in
            let member = try await api.member(request, "read:conversations")
            let input = try await APIInput.read(request, context: context)
            let found = try await core.messenger.search(
                viewer: member, conversationID: try api.id(context), query: input.text("q"), before: input.id("before"),
                limit: input.id("limit").map { Int(clamping: $0) } ?? MessengerRules.defaultPageSize)
            return JSON.response(found.map(json.message))
        }
        router.post("\(base)/conversations/{id}/messages") { request, context in
            let member = try await api.member(request, "write:conversations")
            let input = try await APIInput.read(request, context: context)
            var mediaIDs: [Int64] = []
            for raw in input.list("media_ids") where !raw.isEmpty {
                guard let id = Int64(raw) else { throw APIError(.unprocessableContent, "Validation failed: media_ids are not valid") }
                mediaIDs.append(id)
            }
            let (message, _) = try await core.messenger.send(
                sender: member, conversationID: try api.id(context), text: input.text("text"),
                replyTo: try Self.optionalID(input, "reply_to_id"), clientKey: input["client_key"], mediaIDs: mediaIDs)
            return JSON.response(json.message(message))
        }
        router.post("\(base)/conversations/{id}/read") { request, context in
            let member = try await api.member(request, "write:conversations")
            let input = try await APIInput.read(request, context: context)
            guard let upTo = input.id("up_to") else { throw APIError(.unprocessableContent, "Validation failed: up_to is required") }
            let id = try api.id(context)
            let mark = try await core.messenger.markRead(actor: member, conversationID: id, upTo: upTo)
            let view = try await core.messenger.conversation(id: id, viewer: member)
            return JSON.response(["conversation_id": String(id), "last_read_id": String(mark), "unread": view.unread])
        }
        router.post("\(base)/conversations/{id}/typing") { request, context in
            let member = try await api.member(request, "write:conversations")
            try await core.messenger.typing(actor: member, conversationID: try api.id(context))
            return JSON.response([String: Any]())
        }
        router.get("\(base)/messages/{id}") { request, context in
            let member = try await api.member(request, "read:conversations")
            return JSON.response(json.message(try await core.messenger.message(id: try api.id(context), viewer: member)))
        }
        for method in [HTTPRequest.Method.put, .patch] {
            router.on("\(base)/messages/{id}", method: method) { request, context in
                let member = try await api.member(request, "write:conversations")
                let input = try await APIInput.read(request, context: context)
                return JSON.response(json.message(try await core.messenger.edit(actor: member, messageID: try api.id(context), text: input.text("text"))))
            }
        }
        router.delete("\(base)/messages/{id}") { request, context in
            let member = try await api.member(request, "write:conversations")
            let message = try await core.messenger.delete(actor: member, messageID: try api.id(context))
            return JSON.response(["id": String(message.id), "conversation_id": String(message.conversationID)])
        }
        router.get("\(base)/unread") { request, _ in
            let member = try await api.member(request, "read:conversations")
            return JSON.response(["unread": try await core.messenger.unreadTotal(for: member)])
        }
        router.get("\(base)/stream") { _, _ -> Response in
            throw APIError(.badRequest, "This endpoint is a WebSocket: send an Upgrade request")
        }
    }

    static func optionalID(_ input: APIInput, _ name: String) throws -> Int64? {
        guard let text = input[name], !text.isEmpty, text != "null" else { return nil }
        guard let id = Int64(text) else { throw APIError(.unprocessableContent, "Validation failed: \(name) is not an id") }
        return id
    }
}
