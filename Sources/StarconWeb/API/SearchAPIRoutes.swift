import Foundation
import Hummingbird
import StarconCore

/// Mastodon 4.2's search: `GET /api/v2/search` (accounts, statuses, hashtags) and `GET /api/v1/accounts/search`.
/// What may be found and how it pages is `SearchService`'s; this only reads Mastodon's parameters. There is
/// no other server to ask, so `resolve` finds nothing more than a local search, except that an exact
/// `@name@this-domain` or a status URL of this network is looked up directly.
struct SearchAPIRoutes {
    let api: APISupport
    var core: Core { api.web.core }

    func add(to router: Router<WebContext>) {
        router.get("/api/v1/accounts/search") { request, context in
            let viewer = try await api.member(request, "read:accounts")
            let input = try await APIInput.read(request, context: context)
            guard let query = try Self.query(input) else { return JSON.response([Any]()) }
            return JSON.response(try await accounts(query, raw: input.text("q"), viewer: viewer, following: input.flag("following") ?? false)
                .map { api.entities.account($0) })
        }
        router.get("/api/v2/search") { request, context in
            let viewer = try await api.member(request, "read:search")
            let input = try await APIInput.read(request, context: context)
            let type = input.text("type")
            guard ["", "accounts", "statuses", "hashtags", "sites"].contains(type) else {
                throw APIError(.badRequest, "type must be accounts, statuses, hashtags or sites")
            }
            if type == "sites" { return try await sites(input, viewer: viewer) }
            var accounts: [[String: Any]] = [], hashtags: [[String: Any]] = [], statuses: [JSONWriter.Raw] = []
            guard let query = try Self.query(input) else {
                return JSON.response(["accounts": accounts, "statuses": statuses, "hashtags": hashtags])
            }
            let raw = input.text("q").trimmingCharacters(in: .whitespaces)
            if type.isEmpty || type == "statuses" {
                if let id = statusID(inURL: raw) {
                    statuses = try await core.feed.view(id: id, viewer: viewer).map { [api.entities.status($0)] } ?? []
                } else {
                    statuses = try await core.search.statuses(query, viewer: viewer, author: input.id("account_id")).map { api.entities.status($0) }
                }
            }
            if type.isEmpty || type == "accounts" {
                accounts = try await self.accounts(query, raw: raw, viewer: viewer, following: input.flag("following") ?? false)
                    .map { api.entities.account($0) }
            }
            if type.isEmpty || type == "hashtags" {
                hashtags = try await TagAPIRoutes(api: api).tagsJSON(try await core.search.hashtags(query).map { TagInfo(name: $0, following: false) })
            }
            return JSON.response(["accounts": accounts, "statuses": statuses, "hashtags": hashtags])
        }
    }

    /// Starcon's own `type=sites`: published pages of online sites, under `sites` beside Mastodon's three
    /// (empty) lists, so a Mastodon client that asks for it still reads a Search entity.
    private func sites(_ input: APIInput, viewer: Account) async throws -> Response {
        var sites: [[String: Any]] = []
        if let query = try Self.query(input) {
            sites = try await core.search.sitePages(query, languages: [viewer.language].compactMap { $0 }).map { hit in
                ["id": String(hit.pageID), "site": hit.siteName, "site_title": hit.siteTitle, "language": hit.language, "title": hit.title,
                 "excerpt": hit.excerpt, "url": "\(api.web.publicURL)/sites/\(hit.siteName)/\(hit.slug)?lang=\(hit.language)"]
            }
        }
        return JSON.response(["accounts": [Any](), "statuses": [Any](), "hashtags": [Any](), "sites": sites])
    }

    /// The search asked for, nil when `q` has nothing to look for; 400 without `q` or with a `q` too long.
    static func query(_ input: APIInput) throws -> SearchQuery? {
        guard let q = input["q"] else { throw APIError(.badRequest, "q is missing") }
        guard q.count <= SearchRules.maxQueryCharacters else { throw APIError(.badRequest, "q is too long") }
        return SearchQuery(q, limit: input.id("limit").map { Int(clamping: $0) } ?? SearchRules.defaultLimit,
                           offset: input.id("offset").map { Int(clamping: $0) } ?? 0, maxID: input.id("max_id"), minID: input.id("min_id"))
    }

    /// `name@domain` of this network is looked up exactly; one's own account shows only when named exactly
    /// (completion should offer others).
    private func accounts(_ query: SearchQuery, raw: String, viewer: Account, following: Bool) async throws -> [Account] {
        var name = raw.trimmingCharacters(in: .whitespaces)
        if name.hasPrefix("@") { name.removeFirst() }
        if let at = name.firstIndex(of: "@") {
            let domain = name[name.index(after: at)...].lowercased()
            guard domain == api.web.renderer.instanceName.lowercased() || domain == URL(string: api.web.publicURL)?.host?.lowercased() else { return [] }
            guard let view = try await core.relationships.view(username: String(name[..<at]), viewer: viewer) else { return [] }
            return [view.account]
        }
        return try await core.search.accounts(query, viewer: viewer, following: following)
            .filter { $0.id != viewer.id || name.lowercased() == $0.username.lowercased() }
    }

    /// The status id in one of this network's status URLs (`/@name/ID`, `/statuses/ID`), else nil.
    private func statusID(inURL text: String) -> Int64? {
        guard text.hasPrefix(api.web.publicURL + "/"), let url = URL(string: text) else { return nil }
        let parts = url.path.split(separator: "/")
        guard parts.count == 2, parts[0].hasPrefix("@") || parts[0] == "statuses" else { return nil }
        return Int64(parts[1])
    }
}
