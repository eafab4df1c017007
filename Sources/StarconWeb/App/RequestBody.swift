import Hummingbird
import NIOCore

/// How much of a request body a route reads, and the one way to read it: a declared Content-Length over the
/// limit is refused before a byte of the body is read, and a body that grows past it is refused as it arrives.
enum RequestBody {
    /// Forms and API parameters that carry no file.
    static let formLimit = 64 * 1024
    /// One photo at the media limit and its fields (`/api/v2/media`).
    static let photoLimit = 16 * 1024 * 1024 + 64 * 1024
    /// Four photos at their limit and their fields (a post or a message with pictures, from a signed-in member).
    static let uploadLimit = 4 * 16 * 1024 * 1024 + 64 * 1024

    /// Thrown when the body is over the route's limit; its status is 413.
    struct TooLarge: HTTPResponseError {
        var status: HTTPResponse.Status { .contentTooLarge }

        func response(from request: Request, context: some RequestContext) throws -> Response {
            Response(status: status)
        }
    }

    /// Throws `TooLarge` at once when the declared length is over `limit`.
    static func checkDeclaredLength(_ request: Request, limit: Int) throws {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit { throw TooLarge() }
    }

    /// The whole body, at most `limit` bytes.
    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        try checkDeclaredLength(request, limit: limit)
        var request = request
        do {
            return try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw TooLarge()
        }
    }
}
