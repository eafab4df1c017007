import Foundation
import Crypto
import Hummingbird
import StarconCore

/// Pages say they may be kept and must be revalidated (`private, no-cache`) and carry a weak ETag of their
/// HTML, so a revisit over a slow link gets a bodiless 304 when nothing on the page changed. The page is
/// still rendered (its freshness is the render); only the bytes on the link are saved.
struct ConditionalPageMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        guard request.method == .get || request.method == .head, response.status == .ok,
              let etag = response.headers[.eTag], let asked = request.headers[.ifNoneMatch],
              Self.matches(asked, etag) else { return response }
        var headers = response.headers
        headers[.contentType] = nil
        headers[.contentLength] = nil
        return Response(status: .notModified, headers: headers)
    }

    /// `If-None-Match` is a list; comparison is weak (RFC 9110 §13.1.2), and `*` matches any.
    static func matches(_ header: String, _ etag: String) -> Bool {
        let mine = Self.opaque(etag)
        return header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || Self.opaque(tag) == mine
        }
    }

    private static func opaque(_ tag: String) -> Substring {
        tag.hasPrefix("W/") ? tag.dropFirst(2) : Substring(tag)
    }
}

/// The validator of a page's HTML. Values made afresh on every render (a form's idempotency key) are marked
/// `data-per-render` and left out, so two renders of an unchanged page share a tag; such a key is used at
/// most once, after which the page itself shows the post and changes.
enum PageETag {
    static let perRenderMarker = "data-per-render value=\""

    static func of(_ html: String) -> String {
        var hasher = SHA256()
        var rest = Substring(html)
        while let marker = rest.range(of: perRenderMarker) {
            hasher.update(data: Array(rest[..<marker.upperBound].utf8))
            rest = rest[marker.upperBound...]
            if let end = rest.firstIndex(of: "\"") { rest = rest[end...] }
        }
        hasher.update(data: Array(rest.utf8))
        return "W/\"" + Secrets.hex(hasher.finalize().prefix(12)) + "\""
    }
}
