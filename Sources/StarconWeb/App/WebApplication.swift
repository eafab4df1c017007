import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import StarconCore

/// Settings of the web front end, from the command line.
public struct WebConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The instance's name, shown in titles (the mail domain).
    public var instanceName: String
    /// The address members use to reach the server, for links in invitations and the setup link.
    public var publicURL: String
    /// Reverse proxies whose X-Forwarded-For names the client.
    public var trustedProxies: TrustedProxies
    /// How long a connection may stay silent.
    public var timeouts = HTTPTimeouts()
    /// Caps on open connections, shared with the other listeners; nil for none (tests).
    public var connections: ConnectionGate?
    /// When set, `/metrics` on this listener answers requests that carry `Authorization: Bearer <token>`;
    /// when nil it is not served here (see `buildMetricsApplication` for a listener of its own).
    public var metricsToken: String?

    public init(host: String, port: Int, instanceName: String, publicURL: String, trustedProxies: TrustedProxies = TrustedProxies([])!) {
        self.host = host
        self.port = port
        self.instanceName = instanceName
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.trustedProxies = trustedProxies
    }
}

/// Builds the router with every web route and middleware, over one `Core`.
public func buildRouter(core: Core, configuration: WebConfiguration, logger: Logger) async throws -> Router<WebContext> {
    try await buildRouters(core: core, configuration: configuration, logger: logger).http
}

/// The HTTP router, and the router that answers WebSocket upgrades (the messenger's stream).
func buildRouters(core: Core, configuration: WebConfiguration, logger: Logger) async throws -> (http: Router<WebContext>, stream: Router<StreamContext>) {
    let secret = try await core.settings.getOrCreate(.formSecret) { Secrets.token() }
    let csrf = CSRFTokens(secret: secret)
    let renderer = try await Renderer(
        catalogues: try Catalogues.bundled(), assets: try Assets.bundled(), csrf: csrf, instanceName: configuration.instanceName)
    let web = WebServices(
        core: core, renderer: renderer, csrf: csrf,
        cookies: CookieFactory(secure: configuration.publicURL.hasPrefix("https://")),
        publicURL: configuration.publicURL, logger: logger)
    let metrics = WebMetrics.bootstrap()

    let router = Router(context: WebContext.self)
    // Middleware first: Hummingbird binds a route to the middleware present when the route is added.
    if !configuration.trustedProxies.addresses.isEmpty {
        router.add(middleware: ClientAddressMiddleware(proxies: configuration.trustedProxies))
    }
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: CompressionMiddleware())
    router.add(middleware: ConditionalPageMiddleware())
    router.add(middleware: PageMiddleware(web: web))
    router.add(middleware: APIMiddleware())
    OpsRoutes(web: web, metrics: metrics, metricsToken: configuration.metricsToken).add(to: router)
    AuthRoutes(web: web).add(to: router)
    SettingsRoutes(web: web).add(to: router)
    DataSaverRoutes(web: web).add(to: router)
    try OfflineRoutes(web: web).add(to: router)
    SecuritySettingsRoutes(web: web).add(to: router)
    PasswordResetRoutes(web: web).add(to: router)
    AdminRoutes(web: web).add(to: router)
    AdminReportRoutes(web: web, admin: AdminRoutes(web: web)).add(to: router)
    ReportRoutes(web: web).add(to: router)
    AdminAnnouncementRoutes(web: web).add(to: router)
    DashboardRoutes(web: web).add(to: router)
    AnnouncementRoutes(web: web).add(to: router)
    SearchRoutes(web: web).add(to: router)
    NewsRoutes(web: web).add(to: router)
    MailRoutes(web: web).add(to: router)
    MailReadRoutes(web: web).add(to: router)
    MailSettingsRoutes(web: web).add(to: router)
    MailComposeRoutes(web: web).add(to: router)
    OAuthRoutes(web: web).add(to: router)
    let feed = FeedRoutes(web: web)
    feed.add(to: router)
    FeedActionRoutes(web: web, pages: feed).add(to: router)
    PhotoRoutes(web: web).add(to: router)
    PeopleRoutes(web: web, pages: feed).add(to: router)
    NotificationRoutes(web: web, pages: feed).add(to: router)
    ListRoutes(web: web, pages: feed).add(to: router)
    FilterRoutes(web: web).add(to: router)
    ScheduledRoutes(web: web, pages: feed).add(to: router)
    let api = APISupport(web: web)
    StatusAPIRoutes(api: api).add(to: router)
    AccountAPIRoutes(api: api).add(to: router)
    SearchAPIRoutes(api: api).add(to: router)
    TimelineAPIRoutes(api: api).add(to: router)
    MediaAPIRoutes(api: api).add(to: router)
    PollAPIRoutes(api: api).add(to: router)
    ReportAPIRoutes(api: api).add(to: router)
    ScheduledStatusAPIRoutes(api: api).add(to: router)
    StartupAPIRoutes(api: api).add(to: router)
    TagAPIRoutes(api: api).add(to: router)
    AnnouncementAPIRoutes(api: api).add(to: router)
    ListAPIRoutes(api: api).add(to: router)
    FilterAPIRoutes(api: api).add(to: router)
    ConversationAPIRoutes(api: api).add(to: router)
    DiscoveryRoutes(web: web).add(to: router)
    MessengerAPIRoutes(api: api).add(to: router)
    SuggestRoutes(web: web).add(to: router)
    MessengerStartRoutes(web: web).add(to: router)  // before MessengerRoutes: /messages/new is not a conversation id
    MessengerRoutes(web: web).add(to: router)
    SiteRoutes(web: web).add(to: router)
    SiteEditorRoutes(web: web).add(to: router)
    SiteAdminRoutes(web: web).add(to: router)
    let streaming = MastodonStreaming(api: api)
    streaming.addEventStreams(to: router)
    let streamRouter = MessengerStream(web: web).router()
    streaming.addWebSocket(to: streamRouter)
    return (router, streamRouter)
}

/// The HTTP listener as a `Service` for the process's `ServiceGroup`.
public func buildApplication(
    core: Core, configuration: WebConfiguration, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let (router, streamRouter) = try await buildRouters(core: core, configuration: configuration, logger: logger)
    return Application(
        responder: SiteHostResponder(inner: router.buildResponder(), domain: configuration.instanceName),
        server: .guardedHTTP1WebSocketUpgrade(
            webSocketRouter: streamRouter, webSocket: MessengerStream.configuration, timeouts: configuration.timeouts),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Starcon"),
        onServerRunning: { channel in
            if let gate = configuration.connections {
                try? await ListenerGuard.install(on: channel, gate: gate, logger: logger)
            }
            await onServerRunning(channel.localAddress?.port ?? configuration.port)
        },
        logger: logger)
}

/// A listener of its own for `/metrics` (`--metrics-port`), so the counters can stay off the members' address.
public func buildMetricsApplication(
    core: Core, host: String, port: Int, timeouts: HTTPTimeouts, connections: ConnectionGate?, logger: Logger
) -> some ApplicationProtocol {
    let metrics = WebMetrics.bootstrap()
    let router = Router()
    router.get("/metrics") { _, _ in metrics.scrape(database: core.database, figures: DashboardMetrics.text(try await core.dashboard.snapshot())) }
    return Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: timeouts.idle)),
        configuration: .init(address: .hostname(host, port: port), serverName: "Starcon"),
        onServerRunning: { channel in
            if let gate = connections { try? await ListenerGuard.install(on: channel, gate: gate, logger: logger) }
            logger.info("metrics listening", metadata: ["port": .stringConvertible(channel.localAddress?.port ?? port)])
        },
        logger: logger)
}
