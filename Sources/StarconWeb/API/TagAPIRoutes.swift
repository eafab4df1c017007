import Foundation
import Hummingbird
import StarconCore

/// `/api/v1/tags/:name` (+ follow/unfollow) and `/api/v1/followed_tags`.
struct TagAPIRoutes {
    let api: APISupport
    var core: Core { api.web.core }

    func add(to router: Router<WebContext>) {
        router.get("/api/v1/tags/{name}") { request, context in
            let viewer = try await api.member(request, "read")
            return JSON.response(try await tagJSON(try await core.feed.tag(try name(context), viewer: viewer)))
        }
        router.post("/api/v1/tags/{name}/follow") { request, context in
            let actor = try await api.member(request, "write:follows")
            return JSON.response(try await tagJSON(try await core.feed.followTag(try name(context), by: actor)))
        }
        router.post("/api/v1/tags/{name}/unfollow") { request, context in
            let actor = try await api.member(request, "write:follows")
            return JSON.response(try await tagJSON(try await core.feed.unfollowTag(try name(context), by: actor)))
        }
        router.get("/api/v1/followed_tags") { request, context in
            let actor = try await api.member(request, "read:follows")
            let input = try await APIInput.read(request, context: context)
            let rows = try await core.feed.followedTags(of: actor, before: input.id("max_id"),
                                                        limit: Int(clamping: min(max(input.id("limit") ?? 100, 1), 200)))
            return JSON.response(try await tagsJSON(rows.map { TagInfo(name: $0.tag, following: true) }),
                                 headers: api.linkHeader(request, newest: rows.first?.cursor, oldest: rows.last?.cursor))
        }
    }

    private func name(_ context: WebContext) throws -> String {
        guard let raw = context.parameters.get("name")?.removingPercentEncoding, !raw.isEmpty else { throw APIError.notFound }
        return raw
    }

    func tagJSON(_ tag: TagInfo) async throws -> [String: Any] {
        try await tagsJSON([tag])[0]
    }

    /// Mastodon's Tags, with their history read in one query.
    func tagsJSON(_ tags: [TagInfo]) async throws -> [[String: Any]] {
        let history = try await core.stats.tagHistory(tags.map(\.name))
        return tags.map { MastodonEntities.tag($0.name, history: history[$0.name] ?? [], following: $0.following, publicURL: api.web.publicURL) }
    }
}

extension MastodonEntities {
    /// Mastodon's Tag: `history` days as UNIX seconds at UTC midnight, counts as strings, as Mastodon sends them;
    /// `following` only where the viewer's answer is known.
    static func tag(_ name: String, history: [TagDay], following: Bool?, publicURL: String) -> [String: Any] {
        var json: [String: Any] = [
            "name": name, "url": "\(publicURL)/tags/\(name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name)",
            "history": history.map { ["day": String($0.day / 1000), "uses": String($0.uses), "accounts": String($0.accounts)] },
        ]
        if let following { json["following"] = following }
        return json
    }
}
