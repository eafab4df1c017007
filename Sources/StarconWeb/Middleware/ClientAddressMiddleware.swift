import HTTPTypes
import Hummingbird

/// Behind a trusted reverse proxy, takes the client's address from X-Forwarded-For (`TrustedProxies`).
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let proxies: TrustedProxies

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        let forwarded = request.headers[values: HTTPField.Name("X-Forwarded-For")!]
        if !forwarded.isEmpty {
            context.clientAddress = proxies.clientAddress(peer: context.clientAddress, forwardedFor: forwarded)
        }
        return try await next(request, context)
    }
}
