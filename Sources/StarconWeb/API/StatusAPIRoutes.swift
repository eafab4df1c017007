import Foundation
import HTTPTypes
import Hummingbird
import StarconCore

/// `/api/v1/statuses`: post, read, edit, delete, the thread, and favourites, reposts and bookmarks.
struct StatusAPIRoutes {
    let api: APISupport
    var core: Core { api.web.core }

    func add(to router: Router<WebContext>) {
        router.post("/api/v1/statuses") { request, context in try await create(request, context) }
        router.get("/api/v1/statuses") { request, context in
            let viewer = try await api.member(request, "read:statuses")
            let input = try await APIInput.read(request, context: context)
            var statuses: [JSONWriter.Raw] = []
            for id in input.list("id").compactMap({ Int64($0) }).prefix(40) {
                if let view = try await core.feed.view(id: id, viewer: viewer) { statuses.append(api.entities.status(view)) }
            }
            return JSON.response(statuses)
        }
        router.get("/api/v1/statuses/{id}/source") { request, context in
            let viewer = try await api.member(request, "read:statuses")
            guard let view = try await core.feed.view(id: try api.id(context), viewer: viewer) else { throw APIError.notFound }
            return JSON.response(["id": String(view.status.id), "text": view.status.text, "spoiler_text": view.status.spoilerText])
        }
        for (path, scope, act) in actions {
            router.post("/api/v1/statuses/{id}/\(path)") { request, context in
                let actor = try await api.member(request, scope)
                return JSON.response(api.entities.status(try await act(actor, try api.id(context))))
            }
        }
        router.get("/api/v1/statuses/{id}") { request, context in
            let viewer = try await api.member(request, "read:statuses")
            guard let view = try await core.feed.view(id: try api.id(context), viewer: viewer) else { throw APIError.notFound }
            return JSON.response(api.entities.status(view))
        }
        router.put("/api/v1/statuses/{id}") { request, context in
            let actor = try await api.member(request, "write:statuses")
            let input = try await APIInput.read(request, context: context)
            let view = try await core.feed.edit(actor: actor, id: try api.id(context), text: input.text("status"), spoilerText: input.text("spoiler_text"))
            return JSON.response(api.entities.status(view))
        }
        router.delete("/api/v1/statuses/{id}") { request, context in
            let actor = try await api.member(request, "write:statuses")
            let id = try api.id(context)
            guard let view = try await core.feed.view(id: id, viewer: actor) else { throw APIError.notFound }
            try await core.feed.delete(actor: actor, id: id)
            // Mastodon answers a delete with the source text, for "delete and redraft".
            return JSON.response(api.entities.status(view, adding: ["text": view.status.text]))
        }
        router.get("/api/v1/statuses/{id}/context") { request, context in
            let viewer = try await api.member(request, "read:statuses")
            let thread = try await core.feed.context(id: try api.id(context), viewer: viewer)
            return JSON.response(["ancestors": thread.ancestors.map(api.entities.status), "descendants": thread.descendants.map(api.entities.status)])
        }
        router.get("/api/v1/statuses/{id}/history") { request, context in
            let viewer = try await api.member(request, "read:statuses")
            let id = try api.id(context)
            guard let view = try await core.feed.view(id: id, viewer: viewer) else { throw APIError.notFound }
            let edits = try await core.feed.history(id: id, viewer: viewer)
            return JSON.response(edits.map { edit -> [String: Any] in
                var status = view.status
                status.text = edit.text
                return ["content": StatusHTML.render(status, baseURL: api.web.publicURL), "spoiler_text": edit.spoilerText,
                        "sensitive": !edit.spoilerText.isEmpty, "created_at": JSON.iso8601(edit.createdAt),
                        "account": api.entities.account(view.status.author), "media_attachments": [Any](), "emojis": [Any]()]
            })
        }
        // Emoji reactions, as Pleroma and Akkoma clients call them.
        let feed = core.feed
        for (method, act) in [(HTTPRequest.Method.put, { @Sendable (actor: Account, id: Int64, emoji: String) in try await feed.react(by: actor, statusID: id, emoji: emoji) }),
                              (.delete, { @Sendable (actor: Account, id: Int64, emoji: String) in try await feed.unreact(by: actor, statusID: id, emoji: emoji) })] {
            router.on("/api/v1/pleroma/statuses/{id}/reactions/{emoji}", method: method) { request, context in
                let actor = try await api.member(request, "write:favourites")
                let emoji = context.parameters.get("emoji")?.removingPercentEncoding ?? ""
                return JSON.response(api.entities.status(try await act(actor, try api.id(context), emoji)))
            }
        }
        router.get("/api/v1/pleroma/statuses/{id}/reactions") { request, context in
            let viewer = try await api.member(request, "read:statuses")
            guard let view = try await core.feed.view(id: try api.id(context), viewer: viewer) else { throw APIError.notFound }
            return JSON.response(view.status.reactions.map { ["name": $0.emoji, "count": $0.count, "me": view.myReactions.contains($0.emoji), "accounts": [Any]()] })
        }
        for (path, reposted) in [("favourited_by", false), ("reblogged_by", true)] {
            router.get("/api/v1/statuses/{id}/\(path)") { request, context in
                let viewer = try await api.member(request, "read:statuses")
                let accounts = try await core.feed.accounts(who: .favourite, statusID: try api.id(context), viewer: viewer, reposted: reposted)
                return JSON.response(accounts.map { api.entities.account($0) })
            }
        }
    }

    /// The actions on one status that answer with it as the actor now sees it: the path, its scope, the core call.
    private var actions: [(String, String, @Sendable (Account, Int64) async throws -> StatusView)] {
        let feed = core.feed
        return [
            ("pin", "write:accounts", { try await feed.pin(by: $0, statusID: $1) }),
            ("unpin", "write:accounts", { try await feed.unpin(by: $0, statusID: $1) }),
            ("mute", "write:mutes", { try await feed.muteThread(by: $0, statusID: $1) }),
            ("unmute", "write:mutes", { try await feed.unmuteThread(by: $0, statusID: $1) }),
            ("favourite", "write:favourites", { try await feed.add(.favourite, by: $0, statusID: $1) }),
            ("unfavourite", "write:favourites", { try await feed.remove(.favourite, by: $0, statusID: $1) }),
            ("bookmark", "write:bookmarks", { try await feed.add(.bookmark, by: $0, statusID: $1) }),
            ("unbookmark", "write:bookmarks", { try await feed.remove(.bookmark, by: $0, statusID: $1) }),
            ("reblog", "write:statuses", { try await feed.reblog(by: $0, statusID: $1) }),
            ("unreblog", "write:statuses", { try await feed.unreblog(by: $0, statusID: $1) }),
        ]
    }

    private func create(_ request: Request, _ context: WebContext) async throws -> Response {
        let author = try await api.member(request, "write:statuses")
        let input = try await APIInput.read(request, context: context)
        let defaults = try await core.accounts.postingDefaults(of: author)
        var new = try Self.newStatus(input, defaults: defaults)
        new.idempotencyKey = request.headers[HTTPField.Name("Idempotency-Key")!]
        if let raw = input["scheduled_at"], !raw.isEmpty {
            guard let at = APITime.milliseconds(raw) else { throw APIError(.unprocessableContent, "Validation failed: scheduled_at is not a valid time") }
            return JSON.response(api.entities.scheduledStatus(try await core.feed.schedule(author: author, new, at: at)))
        }
        return JSON.response(api.entities.status(try await core.feed.post(author: author, new)))
    }

    /// A status as a client asks for one: text, visibility, reply, language, photos or a poll.
    /// `defaults`: the member's, for what the client leaves out.
    static func newStatus(_ input: APIInput, defaults: PostingDefaults) throws -> FeedService.NewStatus {
        var mediaIDs: [Int64] = []
        for raw in input.list("media_ids") where !raw.isEmpty {
            guard let id = Int64(raw) else { throw APIError(.unprocessableContent, "Validation failed: media_ids are not valid") }
            mediaIDs.append(id)
        }
        var visibility = defaults.privacy
        if let requested = input["visibility"], !requested.isEmpty {
            guard let parsed = Visibility(api: requested) else { throw APIError(.unprocessableContent, "Validation failed: Visibility is not included in the list") }
            visibility = parsed
        }
        var replyTo: Int64?
        if let raw = input["in_reply_to_id"], !raw.isEmpty {
            guard let id = Int64(raw) else { throw APIError.notFound }
            replyTo = id
        }
        var poll: NewPoll?
        let options = input.list("poll[options]")
        if !options.isEmpty || input["poll[expires_in]"] != nil {
            guard let expiresIn = input.id("poll[expires_in]") else { throw APIError(.unprocessableContent, "Validation failed: poll[expires_in] is missing") }
            poll = NewPoll(options: options, expiresIn: expiresIn, multiple: input.flag("poll[multiple]") ?? false,
                           hideTotals: input.flag("poll[hide_totals]") ?? false)
        }
        return FeedService.NewStatus(text: input.text("status"), spoilerText: input.text("spoiler_text"), visibility: visibility,
                                     inReplyToID: replyTo, language: input["language"].flatMap { $0.isEmpty ? nil : $0 } ?? defaults.language,
                                     mediaIDs: mediaIDs, poll: poll, sensitive: input.flag("sensitive") ?? defaults.sensitive)
    }
}

/// Times as Mastodon clients send them: ISO 8601, with or without fractional seconds.
enum APITime {
    static func milliseconds(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text).map { Int64($0.timeIntervalSince1970 * 1000) }
    }
}
