import Foundation
import Hummingbird
import StarconCore

/// A post's photo shown large with its description, previous and next within the post, and a way back to
/// the same place in the page the member came from (`#status-ID`). Without script it is this page; with
/// script the same page's figure opens over the feed (`people.js`). Who may see the post is the core's.
struct PhotoRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.get("/statuses/{id}/photos/{n}") { request, context in try await photo(request, context) }
    }

    /// The viewer's address for the `number`th photo (from 1), remembering the page to return to.
    static func href(statusID: Int64, number: Int, back: String) -> String {
        let query = back.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~/"))) ?? "/"
        return "/statuses/\(statusID)/photos/\(number)?back=\(query)"
    }

    private func photo(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        guard let id = context.parameters.get("id", as: Int64.self), let number = context.parameters.get("n", as: Int.self),
              let view = try await web.core.feed.view(id: id, viewer: member) else { throw PageError.notFound }
        let status = (view.reblog?.view ?? view).status
        guard number >= 1, number <= status.media.count else { throw PageError.notFound }
        let media = status.media[number - 1]
        let postPath = "/@\(status.author.username)/\(status.id)"
        let backPath = WebServices.safeLocalPath(request.uri.queryParameters["back"].map(String.init)?.removingPercentEncoding)
            .map { String($0.split(separator: "#", maxSplits: 1).first ?? "") } ?? postPath
        let back = backPath.isEmpty ? postPath : backPath
        func neighbour(_ n: Int) -> String {
            (1...status.media.count).contains(n) ? Self.href(statusID: status.id, number: n, back: back) : ""
        }
        let name = status.author.displayName
        return web.renderer.page("photo_viewer", title: t.text("viewer_title", ["name": name]), section: .feed, data: [
            "large": "/media/\(media.large.file(media.digest))", "original": "/media/\(media.original.file(media.digest))",
            "width": media.large.width, "height": media.large.height, "alt": media.description,
            "position": status.media.count > 1 ? t.text("viewer_position", ["n": String(number), "count": String(status.media.count)]) : "",
            "previous": neighbour(number - 1), "next": neighbour(number + 1),
            "close": "\(back)#status-\(view.status.id)", "post": postPath,
            "heading": t.text("viewer_title", ["name": name]), "caption_lang": status.language ?? "",
        ], context: context)
    }
}
