import Foundation
import Hummingbird
import StarconCore

/// `/api/v1/media`, `/api/v2/media`: photo uploads with alt text; and `/media/<file>`, the files themselves.
struct MediaAPIRoutes {
    let api: APISupport
    var core: Core { api.web.core }

    func add(to router: Router<WebContext>) {
        for version in ["v1", "v2"] {
            router.post(RouterPath(stringLiteral: "/api/\(version)/media")) { request, _ in try await upload(request) }
        }
        router.get("/api/v1/media/{id}") { request, context in
            let owner = try await api.member(request, "read:statuses")
            return JSON.response(api.entities.media(try await core.media.get(try api.id(context), owner: owner)))
        }
        router.put("/api/v1/media/{id}") { request, context in
            let owner = try await api.member(request, "write:media")
            let input = try await APIInput.read(request, context: context)
            let media = try await core.media.describe(try api.id(context), owner: owner, description: input.text("description"))
            return JSON.response(api.entities.media(media))
        }
        router.get("/media/{file}") { request, context in try await serveFile(request, context) }
    }

    private func upload(_ request: Request) async throws -> Response {
        let owner = try await api.member(request, "write:media")
        guard MultipartInput.isMultipart(request) else { throw APIError(.unprocessableContent, "Validation failed: File is missing") }
        guard let input = try await MultipartInput.read(request, maxBytes: RequestBody.photoLimit) else { throw APIError(.badRequest, "The multipart body is not valid") }
        guard let file = input.files.first(where: { $0.field == "file" }) else { throw APIError(.unprocessableContent, "Validation failed: File is missing") }
        let media = try await core.media.upload(owner: owner, data: file.data, description: input.text("description"))
        return JSON.response(api.entities.media(media))
    }

    /// Files never change once written (their name is their content's digest): cached for a year, by shared
    /// caches only when a public status shows the photo. Photos of followers-only and direct statuses and
    /// message pictures are `private`: their URLs are unguessable and need no token (Mastodon apps fetch
    /// media without one), but a proxy must not keep them for others, nor after they are deleted.
    private func serveFile(_ request: Request, _ context: WebContext) async throws -> Response {
        let name = context.parameters.get("file") ?? ""
        guard let file = try await core.media.file(named: name) else { throw HTTPError(.notFound) }
        let etag = "\"\(name)\""
        let cacheControl = file.isPublic ? "public, max-age=31536000, immutable" : "private, max-age=31536000, immutable"
        if request.headers[.ifNoneMatch] == etag {
            return Response(status: .notModified, headers: [.eTag: etag, .cacheControl: cacheControl])
        }
        return Response(status: .ok, headers: [
            .contentType: name.hasSuffix(".png") ? "image/png" : "image/jpeg",
            .cacheControl: cacheControl, .eTag: etag,
            .contentDisposition: "inline",
        ], body: .init(byteBuffer: ByteBuffer(data: file.data)))
    }
}
