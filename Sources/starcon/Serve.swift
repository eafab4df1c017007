import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import StarconCore
import StarconMailServer
import StarconNews
import StarconTLS
import StarconWeb

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run every part of Starcon in one process.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Address to listen on (env STARCON_HOST).") var host: String?
    @Option(name: .customLong("http-port"), help: "HTTP port, 0 to disable (env STARCON_HTTP_PORT, default 8080).") var httpPort: Int?
    @Option(name: .customLong("nntp-port"), help: "NNTP port, 0 to disable (env STARCON_NNTP_PORT, default 1119).") var nntpPort: Int?
    @Option(name: .customLong("smtp-port"), help: "SMTP port (submission with AUTH and mail for members), 0 to disable (env STARCON_SMTP_PORT, default 2525).") var smtpPort: Int?
    @Option(name: .customLong("imap-port"), help: "IMAP port, 0 to disable (env STARCON_IMAP_PORT, default 1143).") var imapPort: Int?
    @Option(name: .customLong("tls-cert"), help: "PEM certificate (chain) for STARTTLS on SMTP, IMAP and NNTP (env STARCON_TLS_CERT); with --tls-key.") var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key for STARTTLS (env STARCON_TLS_KEY).") var tlsKey: String?
    @Option(name: .customLong("relay"), help: "DOMAIN=HOST:PORT: where mail for DOMAIN is relayed; repeatable, * for any domain (env STARCON_RELAY, comma-separated).") var relay: [String] = []
    @Option(help: "Mail domain and instance name (env STARCON_DOMAIN, default starcon.local).") var domain: String?
    @Option(name: .customLong("metrics-port"), help: "Port for /metrics on STARCON_METRICS_HOST (default 127.0.0.1), 0 for none (env STARCON_METRICS_PORT, default 0).") var metricsPort: Int?
    @Option(name: .customLong("public-url"), help: "The URL members use to reach this server, for links (env STARCON_PUBLIC_URL). Default: http://HOST:PORT.") var publicURL: String?
    @Option(name: .customLong("trusted-proxies"), help: "Comma-separated addresses of reverse proxies whose X-Forwarded-For names the client (env STARCON_TRUSTED_PROXIES). Default: none.") var trustedProxies: String?

    func run() async throws {
        let logger = Logs.bootstrap()
        let host = self.host ?? Environment.value("HOST") ?? "127.0.0.1"
        let httpPort = try port(self.httpPort, env: "HTTP_PORT", flag: "--http-port", default: 8080)
        let nntpPort = try port(self.nntpPort, env: "NNTP_PORT", flag: "--nntp-port", default: 1119)
        let imapPort = try port(self.imapPort, env: "IMAP_PORT", flag: "--imap-port", default: 1143)
        let metricsPort = try port(self.metricsPort, env: "METRICS_PORT", flag: "--metrics-port", default: 0)
        let metricsHost = Environment.value("METRICS_HOST") ?? "127.0.0.1"
        let limits = try ListenerLimits.fromEnvironment(descriptorLimit: DescriptorLimit.raise())
        let smtpPort = try port(self.smtpPort, env: "SMTP_PORT", flag: "--smtp-port", default: 2525)
        let tls = try Self.loadTLS(cert: tlsCert ?? Environment.value("TLS_CERT"), key: tlsKey ?? Environment.value("TLS_KEY"))
        let relayEntries = relay.isEmpty ? (Environment.value("RELAY") ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } : relay
        let relays: RelayTable
        do { relays = try RelayTable(parsing: relayEntries.filter { !$0.isEmpty }) } catch { throw ConfigurationError(error.description) }
        let domain = self.domain ?? Environment.value("DOMAIN") ?? "starcon.local"
        guard NewsgroupRules.isValidDomain(domain) else { throw ConfigurationError("--domain \(domain) is not a valid domain name") }
        let displayHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        let publicURL = self.publicURL ?? Environment.value("PUBLIC_URL") ?? "http://\(displayHost):\(httpPort)"
        guard publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://") else {
            throw ConfigurationError("--public-url must start with http:// or https://")
        }

        let proxyList = self.trustedProxies ?? Environment.value("TRUSTED_PROXIES") ?? ""
        guard let trustedProxies = TrustedProxies(parsing: proxyList) else {
            throw ConfigurationError("--trusted-proxies must list IP addresses, separated by commas")
        }

        // Each listener's port is tried first, so a port in use is named in a one-line error before anything starts.
        for (port, name) in [(httpPort, "HTTP"), (nntpPort, "NNTP"), (smtpPort, "SMTP"), (imapPort, "IMAP")] where port != 0 {
            try await Self.checkPortFree(host: host, port: port, name: name)
        }
        if metricsPort != 0 { try await Self.checkPortFree(host: metricsHost, port: metricsPort, name: "Metrics") }
        let core = try await store.openCore(logger: logger, domain: domain, deliver: true)
        var services: [any Service] = []
        do {
            try await core.settings.set(.publicURL, publicURL)
            try await core.settings.set(.domain, domain)
            let setupToken = try await core.setup.issueTokenIfNeeded()
            if httpPort != 0 {
                var web = WebConfiguration(host: host, port: httpPort, instanceName: domain, publicURL: publicURL,
                                           trustedProxies: trustedProxies)
                web.timeouts = limits.http
                web.connections = limits.connections
                web.metricsToken = Environment.value("METRICS_TOKEN")
                let app = try await buildApplication(core: core, configuration: web, logger: logger) { _ in
                    var lines = ["Starcon is running at \(publicURL)"]
                    if let setupToken {
                        lines.append("No admin yet. Open this link once to create the first admin account:")
                        lines.append("  \(publicURL)/setup/\(setupToken)")
                    }
                    FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
                }
                services.append(app)
            }
            if metricsPort != 0 {
                services.append(buildMetricsApplication(
                    core: core, host: metricsHost, port: metricsPort, timeouts: limits.http, connections: limits.connections, logger: logger))
            }
            if nntpPort != 0 {
                let idle = try Environment.int("NNTP_IDLE_TIMEOUT", flag: "STARCON_NNTP_IDLE_TIMEOUT") ?? Int(NNTPLimits.idleTimeoutSeconds)
                let post = try Environment.int("NNTP_POST_TIMEOUT", flag: "STARCON_NNTP_POST_TIMEOUT") ?? Int(NNTPLimits.postTimeoutSeconds)
                var nntp = NNTPServer.Configuration(host: host, port: nntpPort, idleTimeout: .seconds(Int64(idle)),
                                                    postTimeout: .seconds(Int64(max(1, post))))
                nntp.connections = limits.connections
                nntp.tls = tls
                services.append(NNTPServer(core: core, configuration: nntp, logger: logger))
            }
            if smtpPort != 0 {
                let idle = try Environment.int("SMTP_IDLE_TIMEOUT", flag: "STARCON_SMTP_IDLE_TIMEOUT") ?? Int(SMTPServer.defaultIdleTimeoutSeconds)
                var smtp = SMTPServer.Configuration(host: host, port: smtpPort, idleTimeout: .seconds(Int64(max(1, idle))), tls: tls)
                smtp.connections = limits.connections
                services.append(SMTPServer(core: core, configuration: smtp, logger: logger))
            }
            // Every serving node delivers the outbound queue, SMTP listener or not.
            services.append(OutboundDelivery(core: core, relays: relays, node: core.lease?.holder ?? "node", logger: logger))
            if imapPort != 0 {
                let idle = try Environment.int("IMAP_IDLE_TIMEOUT", flag: "STARCON_IMAP_IDLE_TIMEOUT") ?? 30 * 60
                var imap = IMAPServer.Configuration(host: host, port: imapPort, idleTimeout: .seconds(Int64(max(1, idle))))
                imap.connections = limits.connections
                imap.tls = tls?.context
                services.append(IMAPServer(core: core, configuration: imap, logger: logger))
            }
            let maintenanceSeconds = try Environment.int("MAINTENANCE_SECONDS", flag: "STARCON_MAINTENANCE_SECONDS") ?? 600
            // How often expired visitor passes and timed suspensions that ran out are looked for.
            let moderationSeconds = try Environment.int("MODERATION_JOB_SECONDS", flag: "STARCON_MODERATION_JOB_SECONDS") ?? 60
            services.append(NodeWorkService(core: core, jobs: core.standardJobs(homeFeedTrim: Int64(max(1, maintenanceSeconds)) * 1000,
                                                                                moderationInterval: Int64(max(1, moderationSeconds)) * 1000),
                                            logger: logger))
            let storeDescription = try store.location().description
            logger.info("starting", metadata: ["store": .string(storeDescription), "domain": .string(domain)])
            var configuration = ServiceGroupConfiguration(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger)
            // In-flight requests get this long to finish; then the group cancels what is left, so a stop
            // never takes more than ten seconds.
            configuration.maximumGracefulShutdownDuration = .seconds(8)
            try await ServiceGroup(configuration: configuration).run()
        } catch {
            await core.close()
            throw Self.configurationError(from: error, host: host, port: httpPort) ?? error
        }
        await core.close()
        logger.info("stopped")
    }

    /// The STARTTLS certificate, or nil when neither file is given; one of them alone is an error.
    static func loadTLS(cert: String?, key: String?) throws -> ServerTLS? {
        switch (cert, key) {
        case (nil, nil): return nil
        case (let cert?, let key?):
            do { return try ServerTLS(certificatePath: cert, keyPath: key) } catch {
                throw ConfigurationError("--tls-cert/--tls-key: cannot load \(cert) and \(key): \(error)")
            }
        default: throw ConfigurationError("--tls-cert and --tls-key go together")
        }
    }

    private func port(_ value: Int?, env: String, flag: String, default: Int) throws -> Int {
        let port = try value ?? Environment.int(env, flag: flag) ?? `default`
        guard (0...65535).contains(port) else { throw ConfigurationError("\(flag) \(port) is not a port number (0–65535)") }
        return port
    }

    static func checkPortFree(host: String, port: Int, name: String) async throws {
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port).get()
            try await channel.close()
        } catch {
            let reason = configurationError(from: error, host: host, port: port)?.message ?? "cannot listen on \(host):\(port): \(error)"
            throw ConfigurationError("\(name) " + reason)
        }
    }

    /// Turns a bind failure into a one-line configuration error.
    static func configurationError(from error: any Error, host: String, port: Int) -> ConfigurationError? {
        let text = String(describing: error)
        if let io = error as? IOError, io.errnoCode == EADDRINUSE || text.contains("Address already in use") {
            return ConfigurationError("cannot listen on \(host):\(port): the port is already in use")
        }
        if text.contains("Address already in use") {
            return ConfigurationError("cannot listen on \(host):\(port): the port is already in use")
        }
        if text.contains("Permission denied") || text.contains("EACCES") {
            return ConfigurationError("cannot listen on \(host):\(port): permission denied")
        }
        if text.contains("Cannot assign requested address") || text.contains("EADDRNOTAVAIL") || text.contains("could not resolve") {
            return ConfigurationError("cannot listen on \(host):\(port): no such local address")
        }
        return nil
    }
}
