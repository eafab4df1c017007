import Foundation
import Hummingbird
import StarconCore

/// The member directory (by kind, by name in any script through the core's search) and a member's
/// follower and following lists. Who appears is the core's answer: the directory lists discoverable
/// members, names come from `SearchService.accounts`, and lists show only members the viewer may see.
struct PeopleRoutes {
    let web: WebServices
    let pages: FeedRoutes

    static let pageSize = 40

    func add(to router: Router<WebContext>) {
        router.get("/people") { request, context in try await directory(request, context) }
        router.get("/@{username}/followers") { request, context in try await follows(.followers, request, context) }
        router.get("/@{username}/following") { request, context in try await follows(.following, request, context) }
    }

    private func person(_ account: Account, _ models: StatusViewModel) -> [String: Any] {
        var values = models.author(account)
        values["bio"] = String(account.bio.prefix(160))
        return values
    }

    private func directory(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        let models = pages.model(context, member, returnTo: "/people")
        let text = request.uri.queryParameters["q"].map(String.init)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let kind = request.uri.queryParameters["kind"].flatMap { AccountKind(rawValue: String($0)) }
        let offset = min(max(request.uri.queryParameters["offset"].flatMap { Int(String($0)) } ?? 0, 0), SearchRules.maxOffset)
        let accounts: [Account]
        if let query = SearchQuery(text, limit: Self.pageSize, offset: offset) {
            accounts = try await web.core.search.accounts(query, viewer: member, kind: kind)
        } else {
            accounts = try await web.core.relationships.visible(
                try await web.core.stats.directory(newest: false, kind: kind, limit: Self.pageSize, offset: offset), to: member)
        }
        func link(_ offset: Int) -> String {
            var items: [URLQueryItem] = []
            if !text.isEmpty { items.append(URLQueryItem(name: "q", value: text)) }
            if let kind { items.append(URLQueryItem(name: "kind", value: kind.rawValue)) }
            if offset > 0 { items.append(URLQueryItem(name: "offset", value: String(offset))) }
            var components = URLComponents()
            components.path = "/people"
            components.queryItems = items.isEmpty ? nil : items
            return components.string ?? "/people"
        }
        let kinds = [["value": "", "label": t.text("people_kind_all"), "selected": kind == nil] as [String: Any]]
            + AccountKind.allCases.map { ["value": $0.rawValue, "label": t.text("kind_\($0.rawValue)"), "selected": $0 == kind] as [String: Any] }
        return web.renderer.page("people", title: t.text("people_directory_title"), section: .search, data: [
            "heading": t.text("people_directory_title"), "directory": true, "query": text, "kinds": kinds,
            "people": accounts.map { person($0, models) }, "empty": accounts.isEmpty,
            "newer": offset > 0 ? link(max(0, offset - Self.pageSize)) : "",
            "older": accounts.count >= Self.pageSize ? link(offset + Self.pageSize) : "",
        ], context: context)
    }

    private func follows(_ direction: RelationshipService.Direction, _ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        // Not there for this member (not active, or they blocked the member): as the profile, not found.
        guard let profile = try await web.core.relationships.view(username: context.parameters.get("username") ?? "", viewer: member) else {
            throw PageError.notFound
        }
        let account = profile.account
        let before = request.uri.queryParameters["before"].flatMap { Int64(String($0)) }
        let rows = try await web.core.relationships.accounts(direction, of: account.id, before: before, limit: Self.pageSize)
        let shown = try await web.core.relationships.visible(rows.map(\.0), to: member)
        let models = pages.model(context, member, returnTo: FeedRoutes.path(request))
        let base = "/@\(account.username)"
        let key = direction == .followers ? "people_followers_title" : "people_following_title"
        return web.renderer.page("people", title: t.text(key, ["name": account.displayName]), section: .feed, data: [
            "heading": t.text(key, ["name": account.displayName]),
            "tabs": ["items": [
                ["href": base, "label": t.text("people_profile_tab"), "current": false],
                ["href": base + "/followers", "label": t.text("people_followers_tab"), "current": direction == .followers],
                ["href": base + "/following", "label": t.text("people_following_tab"), "current": direction == .following],
            ] as [[String: Any]]] as [String: Any],
            "people": shown.map { person($0, models) }, "empty": shown.isEmpty,
            // The lists page by the follow's time; "newer" goes back to the start.
            "newer": before != nil ? base + "/" + (direction == .followers ? "followers" : "following") : "",
            "older": rows.count >= Self.pageSize ? rows.last.map { "\(base)/\(direction == .followers ? "followers" : "following")?before=\($0.cursor)" } ?? "" : "",
        ], context: context)
    }
}
