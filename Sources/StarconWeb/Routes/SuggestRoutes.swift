import Hummingbird
import StarconCore

/// Completion for the member's own pages (the session's cookie, so a GET with no CSRF token that changes
/// nothing): members for the conversation picker and @mentions, hashtags for #tags. The search and who may be
/// found are `SearchService`'s, as for the search page and the API's search.
struct SuggestRoutes {
    let web: WebServices
    static let limit = 8

    func add(to router: Router<WebContext>) {
        router.get("/suggest/people") { request, context in
            let member = try web.member(context)
            let found = try await Self.people(Self.text(request), viewer: member, core: web.core)
            return JSON.response(found.map { ["username": $0.username, "display_name": $0.displayName] as [String: Any] })
        }
        router.get("/suggest/tags") { request, context in
            _ = try web.member(context)
            guard let query = SearchQuery(Self.text(request), limit: Self.limit) else { return JSON.response([Any]()) }
            return JSON.response(Array(try await web.core.search.hashtags(query).prefix(Self.limit)))
        }
    }

    private static func text(_ request: Request) -> String {
        String((FormInput.query(request)["q"] ?? "").trimmingCharacters(in: .whitespaces).prefix(SearchRules.maxQueryCharacters))
    }

    /// Active members the viewer may find, without the viewer and mail-only accounts (who neither chat nor post).
    static func people(_ text: String, viewer: Account, core: Core) async throws -> [Account] {
        guard let query = SearchQuery(text, limit: limit + 1) else { return [] }
        return try await core.search.accounts(query, viewer: viewer)
            .filter { $0.id != viewer.id && !$0.emailOnly && $0.status == .active }.prefix(limit).map { $0 }
    }
}
