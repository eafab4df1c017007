import CompressNIO
import Hummingbird

/// gzip for text responses: slow links are the norm on the networks Starcon serves.
enum Compression {
    /// Below this, gzip's header costs more than it saves.
    static let minimumSize = 600

    static func accepts(_ request: Request) -> Bool {
        guard let header = request.headers[.acceptEncoding] else { return false }
        return header.split(separator: ",").contains { part in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            return pieces.first?.lowercased() == "gzip" && !pieces.dropFirst().contains("q=0")
        }
    }

    static func isCompressible(_ contentType: String) -> Bool {
        (contentType.hasPrefix("text/") && !contentType.hasPrefix("text/event-stream")) || contentType.hasPrefix("application/json")
            || contentType.hasPrefix("image/svg+xml") || contentType.hasPrefix("application/javascript")
    }

    static func gzip(_ buffer: ByteBuffer) -> ByteBuffer? {
        var input = buffer
        return try? input.compress(with: .gzip())
    }
}

/// Compresses text responses whose body is already in memory when the client accepts gzip.
struct CompressionMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard response.headers[.contentEncoding] == nil,
              let contentType = response.headers[.contentType], Compression.isCompressible(contentType),
              let length = response.body.contentLength, length >= Compression.minimumSize
        else { return response }
        response.headers[.vary] = "Accept-Encoding"
        guard Compression.accepts(request) else { return response }
        let collector = BodyCollector()
        try await response.body.write(collector)
        guard let gzipped = Compression.gzip(collector.buffer) else { return response }
        response.headers[.contentEncoding] = "gzip"
        response.headers[.contentLength] = nil
        response.body = .init(byteBuffer: gzipped)
        return response
    }
}

/// Collects a response body in memory.
final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()
    func write(_ buffer: ByteBuffer) async throws {
        var copy = buffer
        self.buffer.writeBuffer(&copy)
    }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

import Foundation
