import Hummingbird
import Metrics
import NIOConcurrencyHelpers
import Prometheus
import StarconCore

/// Health, metrics and static assets: no session, no page chrome.
struct OpsRoutes {
    let web: WebServices
    let metrics: WebMetrics
    /// `/metrics` is served on the public listener only to requests with this bearer token.
    let metricsToken: String?

    func add(to router: Router<WebContext>) {
        router.get("/healthz") { _, _ in try await health() }
        if let metricsToken {
            router.get("/metrics") { request, _ in
                guard let given = request.headers[.authorization], Secrets.constantTimeEquals(given, "Bearer " + metricsToken) else {
                    return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"])
                }
                return metrics.scrape(database: web.core.database, figures: DashboardMetrics.text(try await web.core.dashboard.snapshot()))
            }
        }
        router.get("/static/{name}") { request, context in
            web.renderer.assets.response(for: request, hashedName: context.parameters.get("name") ?? "")
        }
        router.get("/favicon.ico") { request, _ in
            Response(status: .movedPermanently, headers: [.location: web.renderer.assets.url("icon.svg")])
        }
    }

    /// 200 when the store answers within two seconds, 503 otherwise.
    private func health() async throws -> Response {
        let healthy = (try? await withTimeout(seconds: 2) { try await web.core.database.ping() }) != nil
        return Response(
            status: healthy ? .ok : .serviceUnavailable,
            headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: healthy ? "ok\n" : "store unavailable\n")))
    }
}

/// The Prometheus registry behind swift-metrics. Hummingbird's `MetricsMiddleware` feeds request counts
/// by route and status and the latency histogram; the store pool and uptime are read at scrape time.
public final class WebMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let started = ContinuousClock.now
    private let uptime: Prometheus.Gauge
    private let storeConnections: Prometheus.Gauge

    private static let shared = NIOLockedValueBox<WebMetrics?>(nil)

    /// The process-wide instance; bootstraps swift-metrics on first use (it may be bootstrapped only once).
    public static func bootstrap() -> WebMetrics {
        shared.withLockedValue { shared in
            if let existing = shared { return existing }
            let metrics = WebMetrics()
            var factory = PrometheusMetricsFactory(registry: metrics.registry)
            factory.defaultDurationHistogramBuckets = [
                .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
            ]
            MetricsSystem.bootstrap(factory)
            shared = metrics
            return metrics
        }
    }

    private init() {
        registry = PrometheusCollectorRegistry()
        uptime = registry.makeGauge(descriptor: .init(
            namespace: "starcon", metricName: "uptime", unitName: "seconds", helpText: "Seconds since the server started"))
        storeConnections = registry.makeGauge(descriptor: .init(
            namespace: "starcon", metricName: "store", unitName: "connections",
            helpText: "Open (SQLite) or leased (PostgreSQL) store connections"))
    }

    /// `figures`: Prometheus text appended after the registry's (the dashboard's, `DashboardMetrics`).
    func scrape(database: any Database, figures: String = "") -> Response {
        let elapsed = ContinuousClock.now - started
        uptime.set(Double(elapsed.components.seconds))
        storeConnections.set(Double(database.openConnections))
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        bytes += Array(figures.utf8)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
