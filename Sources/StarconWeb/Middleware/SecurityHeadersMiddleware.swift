import HTTPTypes
import Hummingbird

/// Headers every response carries: a strict Content-Security-Policy (no inline script or style, nothing
/// from elsewhere), no MIME sniffing, no framing, no referrer leaking to other sites.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: String {
        [
            "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
            "font-src 'self'", "connect-src 'self'", "media-src 'self'", "form-action 'self'",
            "manifest-src 'self'", "worker-src 'self'",
            "frame-ancestors 'none'", "base-uri 'none'",
        ].joined(separator: "; ")
    }

    static var referrerPolicy: HTTPField.Name { HTTPField.Name("Referrer-Policy")! }
    static var frameOptions: HTTPField.Name { HTTPField.Name("X-Frame-Options")! }
    static var openerPolicy: HTTPField.Name { HTTPField.Name("Cross-Origin-Opener-Policy")! }
    static var permissionsPolicy: HTTPField.Name { HTTPField.Name("Permissions-Policy")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.referrerPolicy] = "same-origin"
        response.headers[Self.frameOptions] = "DENY"
        response.headers[Self.openerPolicy] = "same-origin"
        response.headers[Self.permissionsPolicy] = "camera=(), microphone=(), geolocation=()"
        return response
    }
}
