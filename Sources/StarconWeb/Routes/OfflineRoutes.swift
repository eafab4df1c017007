import Crypto
import Hummingbird
import StarconCore

/// The installable web app: its manifest, the service worker at the root (so its scope is the whole site
/// without `Service-Worker-Allowed`) and the page it shows for a page it never kept. Both files are made once
/// at start-up from the hashed asset URLs, so a new build is a new worker version.
struct OfflineRoutes {
    let web: WebServices
    let manifest: ByteBuffer
    let worker: ByteBuffer
    let manifestTag: String
    let workerTag: String

    init(web: WebServices) throws {
        self.web = web
        let renderer = web.renderer
        let shell = renderer.assets.shellURLs
        let version = Secrets.hex(SHA256.hash(data: Array(shell.joined(separator: "\n").utf8)).prefix(8))
        let manifestText = try JSONWriter.string([
            "name": renderer.instanceName, "short_name": renderer.instanceName, "id": "/", "start_url": "/", "scope": "/",
            "display": "standalone", "background_color": "#f4f6f9", "theme_color": "#1f4e8c",
            "icons": [["src": renderer.assets.url("icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"]],
        ] as [String: Any], sortedKeys: true)
        let workerText = renderer.library.render(["version": version, "shell": try JSONWriter.string(shell)], withTemplate: "service_worker") ?? ""
        manifest = ByteBuffer(string: manifestText)
        worker = ByteBuffer(string: workerText)
        manifestTag = PageETag.of(manifestText)
        workerTag = PageETag.of(workerText)
    }

    func add(to router: Router<WebContext>) {
        router.get("/manifest.webmanifest") { _, _ in
            file(manifest, type: "application/manifest+json", tag: manifestTag)
        }
        router.get("/sw.js") { _, _ in
            file(worker, type: "text/javascript; charset=utf-8", tag: workerTag)
        }
        router.get("/offline") { _, context in
            let t = web.renderer.catalogue(context)
            return web.renderer.page("offline", title: t.text("offline_title"), data: [:], context: context)
        }
    }

    /// Revalidated on every use (a browser checks its worker anyway), answered with 304 when unchanged.
    private func file(_ body: ByteBuffer, type: String, tag: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache", .eTag: tag], body: .init(byteBuffer: body))
    }
}
