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
            return JSON.response(tagJSON(try await core.feed.tag(try name(context), viewer: viewer)))
        }
        router.post("/api/v1/tags/{name}/follow") { request, context in
            let actor = try await api.member(request, "write:follows")
            return JSON.response(tagJSON(try await core.feed.followTag(try name(context), by: actor)))
        }
        router.post("/api/v1/tags/{name}/unfollow") { request, context in
            let actor = try await api.member(request, "write:follows")
            return JSON.response(tagJSON(try await core.feed.unfollowTag(try name(context), by: actor)))
        }
        router.get("/api/v1/followed_tags") { request, context in
            let actor = try await api.member(request, "read:follows")
            let input = try await APIInput.read(request, context: context)
            let rows = try await core.feed.followedTags(of: actor, before: input.id("max_id"),
                                                        limit: Int(clamping: min(max(input.id("limit") ?? 100, 1), 200)))
            return JSON.response(rows.map { tagJSON(TagInfo(name: $0.tag, following: true)) },
                                 headers: api.linkHeader(request, newest: rows.first?.cursor, oldest: rows.last?.cursor))
        }
    }

    private func name(_ context: WebContext) throws -> String {
        guard let raw = context.parameters.get("name")?.removingPercentEncoding, !raw.isEmpty else { throw APIError.notFound }
        return raw
    }

    /// Mastodon's Tag.
    func tagJSON(_ tag: TagInfo) -> [String: Any] {
        ["name": tag.name, "url": "\(api.web.publicURL)/tags/\(tag.name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? tag.name)",
         "history": [Any](), "following": tag.following]
    }
}
