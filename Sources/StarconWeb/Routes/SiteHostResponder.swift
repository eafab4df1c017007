import Hummingbird
import HTTPTypes
import StarconCore

enum SiteHost {
    /// Set only by `SiteHostResponder`: the site a request's Host named.
    static var field: HTTPField.Name { HTTPField.Name("X-Starcon-Site-Host")! }
}

/// Answers `NAME.DOMAIN` as `/sites/NAME/…`, so a closed network's DNS can give each institution its own
/// address. The site's name travels to the routes in `SiteHost.field`, which a client can never set itself
/// (any it sends is removed first); the pipeline's files (`/static/`, `/media/`) stay where they are.
struct SiteHostResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == WebContext {
    typealias Context = WebContext
    let inner: Inner
    /// The instance's domain (`--domain`), lowercased.
    let domain: String

    func respond(to request: Request, context: WebContext) async throws -> Response {
        var head = request.head
        head.headerFields[SiteHost.field] = nil
        if let name = Self.siteName(host: head.authority, domain: domain),
           let path = head.path, !Self.keepsPath(path) {
            head.headerFields[SiteHost.field] = name
            head.path = "/sites/\(name)" + (path.hasPrefix("/") ? path : "/" + path)
        }
        return try await inner.respond(to: Request(head: head, body: request.body), context: context)
    }

    /// `NAME` when `host` (port dropped) is `NAME.DOMAIN` with a single label before the domain.
    static func siteName(host: String?, domain: String) -> String? {
        guard var host = host?.lowercased(), !domain.isEmpty else { return nil }
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") { host = String(host[..<colon]) }
        let suffix = "." + domain.lowercased()
        guard host.hasSuffix(suffix) else { return nil }
        let label = String(host.dropLast(suffix.count))
        guard !label.isEmpty, !label.contains("."), (try? SiteRules.validateName(label)) == label else { return nil }
        return label
    }

    static func keepsPath(_ path: String) -> Bool {
        path.hasPrefix("/static/") || path.hasPrefix("/media/") || path == "/healthz"
    }
}
