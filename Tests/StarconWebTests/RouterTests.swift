import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import StarconCore
@testable import StarconWeb
import Testing

/// The router in process, on a real SQLite file: rules that must hold for every route.
@Suite("Router")
struct RouterTests {
    static func withApp(_ body: (Core, Router<WebContext>, any ApplicationProtocol) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("starcon-web-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let core = try await Core.open(.sqlite(path: directory.appendingPathComponent("db.sqlite").path), logger: logger)
        let router = try await buildRouter(
            core: core, configuration: .init(host: "127.0.0.1", port: 0, instanceName: "test.local", publicURL: "http://test"),
            logger: logger)
        let app = Application(router: router, logger: logger)
        do {
            try await body(core, router, app)
        } catch {
            await core.close()
            throw error
        }
        await core.close()
    }

    /// An admin's session posting to every POST route without the CSRF token: each is refused with 403 and
    /// nothing changes. A new route with a form cannot forget the check. The JSON API routes are left to the
    /// next test: they ignore cookies, so a forged cross-site request carries no authority there.
    @Test func everyPostRouteRequiresTheCSRFToken() async throws {
        try await Self.withApp { core, router, app in
            var new = AccountService.NewAccount(username: "admin", password: "correct horse battery")
            new.role = .admin
            let admin = try await core.accounts.create(new)
            let (token, _) = try await core.sessions.start(for: admin, userAgent: "test", address: "127.0.0.1")
            let posts = router.routes.filter { $0.method == .post && !APIMiddleware.isAPI($0.path.description) }
                .map { $0.path.description.replacingOccurrences(of: #"\{[a-z]+\}"#, with: "1", options: .regularExpression) }
            #expect(posts.count >= 10)
            let auditBefore = try await core.audit.list(actor: admin).count
            try await app.test(.router) { client in
                for path in posts {
                    try await client.execute(
                        uri: path, method: .post,
                        headers: [.cookie: "sc_session=\(token)", .contentType: "application/x-www-form-urlencoded"],
                        body: ByteBuffer(string: "mode=open&role=member&lang=ko&reason=x&uses=5")
                    ) { response in
                        #expect(response.status == .forbidden, "\(path) answered \(response.status)")
                    }
                }
            }
            #expect(try await core.registration.mode() == .invitation)
            #expect(try await core.audit.list(actor: admin).count == auditBefore)
        }
    }

    /// The API's state-changing routes with a signed-in browser's cookie but no bearer token: the cookie
    /// grants nothing, so each answers with a JSON error and no registered app, token or change appears.
    @Test func apiRoutesIgnoreTheSessionCookie() async throws {
        try await Self.withApp { core, router, app in
            var new = AccountService.NewAccount(username: "admin", password: "correct horse battery")
            new.role = .admin
            let admin = try await core.accounts.create(new)
            let (token, _) = try await core.sessions.start(for: admin, userAgent: "test", address: "127.0.0.1")
            let apiRoutes = router.routes.filter { $0.method != .get && APIMiddleware.isAPI($0.path.description) }
                .map { ($0.method, $0.path.description.replacingOccurrences(of: #"\{[a-z_]+\}"#, with: "1", options: .regularExpression)) }
            try await app.test(.router) { client in
                for (method, path) in apiRoutes where path != "/api/v1/apps" && path != "/oauth/token" && path != "/oauth/revoke" {
                    try await client.execute(
                        uri: path, method: method,
                        headers: [.cookie: "sc_session=\(token)", .contentType: "application/x-www-form-urlencoded"],
                        body: ByteBuffer(string: "status=hello&text=hi")
                    ) { response in
                        #expect([.unauthorized, .notFound].contains(response.status), "\(path) answered \(response.status)")
                        #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(path)")
                    }
                }
            }
        }
    }

    @Test func everyResponseCarriesTheSecurityHeaders() async throws {
        try await Self.withApp { _, _, app in
            try await app.test(.router) { client in
                for path in ["/login", "/nope", "/healthz", "/register"] {
                    try await client.execute(uri: path, method: .get) { response in
                        let csp = response.headers[.contentSecurityPolicy] ?? ""
                        #expect(csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"), "\(path)")
                        #expect(response.headers[.xContentTypeOptions] == "nosniff")
                    }
                }
            }
        }
    }

    @Test func unknownPagesGetA404PageInTheBrowsersLanguage() async throws {
        let title = try Catalogues.bundled()[.ja].text("error_404_title")
        try await Self.withApp { _, _, app in
            try await app.test(.router) { client in
                try await client.execute(uri: "/missing", method: .get, headers: [.acceptLanguage: "ja,en;q=0.5"]) { response in
                    #expect(response.status == .notFound)
                    let body = String(buffer: response.body)
                    #expect(body.contains("lang=\"ja\""))
                    #expect(body.contains(title))
                }
            }
        }
    }
}

@Suite("API encoding")
struct APIEncodingTests {
    @Test func isoDatesMatchFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for milliseconds: Int64 in [0, 1_764_633_600_123, 951_782_400_999, 4_102_444_800_001, 86_399_999] {
            #expect(JSON.iso8601(milliseconds) == formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000)), "\(milliseconds)")
        }
    }
}
