import Crypto
import Foundation
import Hummingbird
import StarconCore

/// Static assets (CSS, icons), loaded into memory at start-up with a content hash in their URL, so they can
/// be cached for a year and served with an ETag; text assets are kept pre-compressed too.
struct Assets: Sendable {
    struct Asset: Sendable {
        let name: String
        let hashedName: String
        let contentType: String
        let body: ByteBuffer
        let gzipped: ByteBuffer?
        let etag: String
    }

    private let byHashedName: [String: Asset]
    private let urlByName: [String: String]

    init(directory: URL) throws {
        var byHashedName: [String: Asset] = [:]
        var urlByName: [String: String] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() where !file.hasPrefix(".") {
            let ext = (file as NSString).pathExtension
            let data = AssetMinifier.minify(try Data(contentsOf: directory.appendingPathComponent(file)), ext: ext)
            let digest = Secrets.hex(SHA256.hash(data: data).prefix(6))
            let base = (file as NSString).deletingPathExtension
            let hashedName = "\(base).\(digest).\(ext)"
            let contentType = Self.contentTypes[ext] ?? "application/octet-stream"
            let body = ByteBuffer(bytes: data)
            let gzipped = Compression.isCompressible(contentType) ? Compression.gzip(body) : nil
            byHashedName[hashedName] = Asset(name: file, hashedName: hashedName, contentType: contentType, body: body,
                                             gzipped: gzipped, etag: "\"\(digest)\"")
            urlByName[file] = "/static/\(hashedName)"
        }
        self.byHashedName = byHashedName
        self.urlByName = urlByName
    }

    static func bundled() throws -> Assets {
        guard let url = Bundle.module.url(forResource: "Assets", withExtension: nil) else {
            throw CatalogueError("the Assets resource folder is missing from the build")
        }
        return try Assets(directory: url)
    }

    static let contentTypes = [
        "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml",
        "png": "image/png", "ico": "image/x-icon", "txt": "text/plain; charset=utf-8",
    ]

    /// Every asset's hashed URL: the app shell a service worker keeps, and what names its version.
    var shellURLs: [String] { urlByName.values.sorted() }

    /// The cache-busting URL of an asset by its file name.
    func url(_ name: String) -> String { urlByName[name] ?? "/static/\(name)" }

    func asset(hashedName: String) -> Asset? { byHashedName[hashedName] }

    func response(for request: Request, hashedName: String) -> Response {
        guard let asset = asset(hashedName: hashedName) else { return Response(status: .notFound) }
        var headers: HTTPFields = [
            .cacheControl: "public, max-age=31536000, immutable",
            .eTag: asset.etag,
            .vary: "Accept-Encoding",
        ]
        if request.headers[.ifNoneMatch] == asset.etag {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        if let gzipped = asset.gzipped, Compression.accepts(request) {
            headers[.contentEncoding] = "gzip"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: gzipped))
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
    }
}
