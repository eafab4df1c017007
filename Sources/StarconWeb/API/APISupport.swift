import Foundation
import HTTPTypes
import Hummingbird
import StarconCore

/// What every API route needs: the signed-in member, entity rendering, ids from the path, pages.
struct APISupport: Sendable {
    let web: WebServices

    var entities: MastodonEntities.Context {
        MastodonEntities.Context(publicURL: web.publicURL, domain: web.renderer.instanceName, assets: web.renderer.assets,
                                 statusJSON: web.statusJSON)
    }

    func member(_ request: Request, _ scope: String) async throws -> Account {
        try await OAuthRoutes.member(request, core: web.core, scope: scope)
    }

    /// An id from the path; a malformed one is a record that does not exist.
    func id(_ context: WebContext, _ name: String = "id") throws -> Int64 {
        guard let text = context.parameters.get(name), let id = Int64(text), id > 0 else { throw APIError.notFound }
        return id
    }

    /// A member as `viewer` may see them (`AccountPermissions.view`: active, and not blocking the viewer),
    /// or 404, the web profile page's answer.
    func visibleAccount(_ context: WebContext, viewer: Account) async throws -> Account {
        guard let view = try await web.core.relationships.view(id: try id(context), viewer: viewer) else { throw APIError.notFound }
        return view.account
    }

    /// An active member by id, or 404: the target of an action, whose rules the core applies.
    func account(_ context: WebContext) async throws -> Account {
        guard let account = try await web.core.accounts.find(id: try id(context)), account.status == .active else { throw APIError.notFound }
        return account
    }

    func page(_ input: APIInput) -> PageRequest {
        PageRequest(maxID: input.id("max_id"), sinceID: input.id("since_id"), minID: input.id("min_id"),
                    limit: input.id("limit").map { Int(clamping: $0) } ?? FeedRules.defaultPageSize)
    }

    /// Mastodon's pagination header: `next` pages to older items, `prev` to newer ones.
    func linkHeader(_ request: Request, newest: Int64?, oldest: Int64?) -> HTTPFields {
        guard let newest, let oldest else { return [:] }
        let base = web.publicURL + request.uri.path
        var kept = request.uri.queryParameters.filter { !["max_id", "min_id", "since_id"].contains(String($0.key)) }
            .map { URLQueryItem(name: String($0.key), value: String($0.value)) }
        kept.sort { $0.name < $1.name }
        func url(_ item: URLQueryItem) -> String {
            var components = URLComponents()
            components.queryItems = kept + [item]
            return base + (components.string ?? "")
        }
        var fields = HTTPFields()
        fields[HTTPField.Name("Link")!] = "<\(url(URLQueryItem(name: "max_id", value: String(oldest))))>; rel=\"next\", <\(url(URLQueryItem(name: "min_id", value: String(newest))))>; rel=\"prev\""
        return fields
    }
}
