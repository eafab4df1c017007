import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import StarconCore
import StarconMail
import StarconTLS
import Synchronization

/// The SMTP listener (RFC 5321): submission with AUTH from members and mail from other servers for our
/// members, on one port. A `Service` in the process's group; each connection runs in its own task, driving
/// an `SMTPSession` whose policy is the core (`CoreSMTPPolicy`).
public struct SMTPServer: Service {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// A connection with no input for this long is closed with 421 (during DATA too).
        public var idleTimeout: TimeAmount
        /// STARTTLS is offered when set.
        public var tls: ServerTLS?
        /// Caps on open connections, shared with the other listeners; nil for none (tests).
        public var connections: ConnectionGate?

        public init(host: String, port: Int, idleTimeout: TimeAmount = .seconds(SMTPLimits.idleTimeoutSeconds), tls: ServerTLS? = nil) {
            self.host = host
            self.port = port
            self.idleTimeout = idleTimeout
            self.tls = tls
        }
    }

    public static let defaultIdleTimeoutSeconds = SMTPLimits.idleTimeoutSeconds

    let core: Core
    let configuration: Configuration
    let logger: Logger
    let onListening: @Sendable (Int) -> Void

    public init(core: Core, configuration: Configuration, logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.core = core
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let idleTimeout = configuration.idleTimeout
        let (gate, logger) = (configuration.connections, self.logger)
        let server = try await ServerBootstrap.guardedListener(gate: gate, logger: logger)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(SMTPIdleCloser())
                    try channel.pipeline.syncOperations.addHandler(LineFramer(maxLength: SMTPLimits.maxCommandLine))
                    return try NIOAsyncChannel<LineFrame, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let port = server.channel.localAddress?.port ?? configuration.port
        logger.info("SMTP listening", metadata: ["port": .stringConvertible(port), "starttls": .stringConvertible(configuration.tls != nil)])
        onListening(port)
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { clients in
                    for try await client in clients {
                        group.addTask {
                            await withGracefulShutdownHandler {
                                await serve(client)
                            } onGracefulShutdown: {
                                let channel = client.channel
                                channel.writeAndFlush(Self.encode(SMTPReply(421, "4.3.2", "Service shutting down"))).whenComplete { _ in
                                    channel.close(promise: nil)
                                }
                            }
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
        }
    }

    private func serve(_ client: NIOAsyncChannel<LineFrame, ByteBuffer>) async {
        let channel = client.channel
        let peer = channel.remoteAddress?.ipAddress ?? "unknown"
        var logger = self.logger
        logger[metadataKey: "smtp.peer"] = .string(peer)
        let secureBox = SecureFlag()
        let policy = CoreSMTPPolicy(core: core, logger: logger, secure: { secureBox.value })
        let session = SMTPSession(policy: policy, serverName: core.mail.domain, peer: peer, tlsAvailable: configuration.tls != nil,
                                  secure: false, authWithoutTLS: true)
        var completed = true
        var watch: EventSink?
        defer { watch?.cancel() }
        do {
            try await client.executeThenClose { inbound, _ in
                try await Self.send(session.greeting, on: channel)
                var data: DataCollector?
                for try await frame in inbound {
                    if data != nil {
                        // Changed in place: a copy per line would copy the message so far each time.
                        data!.add(frame)
                        if case .line(let line, _) = frame, LineFramer.isStartTLS(line) { Self.resume(channel) }
                        guard data!.finished, let collector = data else { continue }
                        data = nil
                        let reply: SMTPReply
                        if collector.hadOverlongLine {
                            reply = SMTPReply(500, "5.5.2", "Line too long (limit \(SMTPLimits.maxCommandLine) bytes); message refused")
                            _ = await session.finishData(message: [], truncated: true)
                        } else {
                            reply = await session.finishData(message: collector.message, truncated: collector.truncated)
                        }
                        completed = true
                        if !reply.isPositive { logger.info("smtp data refused", metadata: ["reply": .stringConvertible(reply.code)]) }
                        try await Self.send(reply, on: channel)
                        continue
                    }
                    guard case .line(let buffer, _) = frame else {
                        try await Self.send(SMTPReply(500, "5.5.2", "Line too long"), on: channel)
                        continue
                    }
                    guard let line = String(validating: buffer.readableBytesView, as: UTF8.self) else {
                        try await Self.send(SMTPReply(500, "5.5.2", "Command is not valid UTF-8"), on: channel)
                        if LineFramer.isStartTLS(buffer) { Self.resume(channel) }
                        continue
                    }
                    let (reply, next) = await session.handle(line: line[...])
                    Self.log(line, reply, logger)
                    if watch == nil, let member = session.signedIn {
                        watch = SMTPMemberWatch.start(core: core, identity: member, channel: channel, logger: logger)
                    }
                    switch next {
                    case .carryOn:
                        try await Self.send(reply, on: channel)
                        if LineFramer.isStartTLS(buffer) { Self.resume(channel) }
                    case .receiveData:
                        try await Self.send(reply, on: channel)
                        data = DataCollector(maxBytes: SMTPLimits.maxMessageBytes)
                        completed = false
                    case .close:
                        try await Self.send(reply, on: channel)
                        return
                    case .startTLS:
                        guard let tls = configuration.tls else { return }
                        // The 220 goes out in the clear and the TLS handler goes first in the pipeline in one
                        // turn of the event loop, so no byte is read between them.
                        try await channel.eventLoop.submit {
                            channel.writeAndFlush(Self.encode(reply), promise: nil)
                            try channel.pipeline.syncOperations.addHandler(tls.makeHandler(), position: .first)
                        }.get()
                        secureBox.value = true
                        logger.debug("smtp starttls")
                    }
                }
            }
        } catch {
            logger.debug("SMTP connection ended", metadata: ["error": .string(String(describing: type(of: error)))])
        }
        if !completed { logger.info("smtp client left during DATA; nothing stored") }
    }

    /// One line per command at debug level: the verb and the reply code, never arguments (AUTH and its
    /// answers carry passwords).
    private static func log(_ line: String, _ reply: SMTPReply, _ logger: Logger) {
        let verb = line.prefix(while: { $0 != " " }).uppercased()
        let known = ["EHLO", "HELO", "MAIL", "RCPT", "DATA", "RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP", "STARTTLS", "AUTH"]
        let name = known.contains(verb) ? verb : "-"
        if reply.code >= 500, name == "RCPT" || name == "MAIL" {
            logger.info("smtp", metadata: ["command": .string(name), "reply": .stringConvertible(reply.code), "status": .string(reply.enhanced ?? "")])
        } else {
            logger.debug("smtp", metadata: ["command": .string(name), "reply": .stringConvertible(reply.code)])
        }
    }

    /// Tells the framer a held `STARTTLS`-looking line did not start TLS.
    private static func resume(_ channel: any Channel) {
        channel.pipeline.fireUserInboundEventTriggered(LineFramer.Resume())
    }

    static func send(_ reply: SMTPReply, on channel: any Channel) async throws {
        try await channel.writeAndFlush(encode(reply)).get()
    }

    static func encode(_ reply: SMTPReply) -> ByteBuffer {
        ByteBuffer(string: reply.encoded)
    }
}

/// Whether a connection has switched to TLS, shared with its policy.
final class SecureFlag: Sendable {
    private let state = Mutex(false)
    var value: Bool {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
