import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import StarconCore
import StarconIMAP

/// The IMAP listener (RFC 3501), a `Service` in the process's group: bytes go through the `CommandFramer`
/// into an `IMAPSession`. Each connection runs in its own task; one client's error or slowness never reaches
/// another, and nothing here blocks an event loop.
public struct IMAPServer: Service {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// A connection with no input for this long is closed, in IDLE too (RFC 3501 §5.4: at least 30
        /// minutes; RFC 2177 clients re-issue IDLE every 29).
        public var idleTimeout: TimeAmount
        /// Caps on open connections, shared with the other listeners; nil for none (tests).
        public var connections: ConnectionGate?
        /// STARTTLS is offered with this context when set.
        public var tls: NIOSSLContext?

        public init(host: String, port: Int, idleTimeout: TimeAmount = .minutes(30)) {
            self.host = host
            self.port = port
            self.idleTimeout = idleTimeout
        }
    }

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
        let offersTLS = configuration.tls != nil
        let (gate, logger) = (configuration.connections, self.logger)
        let server = try await ServerBootstrap.guardedListener(gate: gate, logger: logger)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(IMAPIdleCloser())
                    if offersTLS { try channel.pipeline.syncOperations.addHandler(StartTLSGate()) }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let port = server.channel.localAddress?.port ?? configuration.port
        logger.info("IMAP listening", metadata: ["port": .stringConvertible(port)])
        onListening(port)
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { clients in
                    for try await client in clients {
                        group.addTask {
                            await withGracefulShutdownHandler {
                                await serve(client)
                            } onGracefulShutdown: {
                                let goodbye = ByteBuffer(bytes: Response.untagged(.bye, "server shutting down"))
                                client.channel.writeAndFlush(goodbye).whenComplete { _ in client.channel.close(promise: nil) }
                            }
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
        }
    }

    /// The largest literal taken before sign-in (a username, a password, an AUTHENTICATE response).
    static let maxLiteralBeforeSignIn = 4_096

    /// What the connection's one loop waits for: the client's bytes or an event for its member.
    enum Input: Sendable {
        case bytes(ByteBuffer)
        case mailbox(Int64?)
        case ended
        case revoked
        /// This connection's event queue overflowed and its subscription was dropped: it can no longer promise
        /// IDLE updates, so it asks the client to reconnect.
        case fellBehind
    }

    private func serve(_ client: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let peer = client.channel.remoteAddress?.ipAddress ?? "unknown"
        var logger = self.logger
        logger[metadataKey: "imap.peer"] = .string(peer)
        let channel = client.channel
        let tls = configuration.tls
        var subscription: EventSink?
        defer { subscription?.cancel() }
        do {
            try await client.executeThenClose { inbound, outbound in
                let (inputs, input) = AsyncStream<Input>.makeStream()
                // The reader hands over one buffer at a time and waits until it is handled, so a client that
                // sends faster than its commands run is slowed by TCP, not buffered here.
                let (credits, credit) = AsyncStream<Void>.makeStream()
                let reader = Task {
                    var credits = credits.makeAsyncIterator()
                    do {
                        for try await buffer in inbound {
                            input.yield(.bytes(buffer))
                            guard await credits.next() != nil else { break }
                        }
                    } catch {}
                    input.finish()
                }
                defer {
                    reader.cancel()
                    credit.finish()
                }
                let session = IMAPSession(core: core, peerAddress: peer, options: .init(offersStartTLS: tls != nil)) { bytes in
                    try await outbound.write(ByteBuffer(bytes: bytes))
                }
                try await outbound.write(ByteBuffer(bytes: session.greeting))
                // Before sign-in a literal may only hold a username or password: a stranger cannot make the
                // server hold an APPEND-sized literal per connection. Signed in, the grammar's own limit applies.
                var framer = CommandFramer(maxLiteralSize: IMAPServer.maxLiteralBeforeSignIn)
                var signedIn = false
                loop: for await next in inputs {
                    var outcome = IMAPSession.Next.carryOn
                    switch next {
                    case .bytes(let buffer):
                        defer { credit.yield() }
                        for event in framer.feed(buffer.readableBytesView) {
                            switch event {
                            case .continuation: try await outbound.write(ByteBuffer(bytes: session.continuation))
                            case .refused(let tag, let refusal): outcome = await session.refused(tag: tag, refusal)
                            case .command(let bytes):
                                outcome = await session.receive(bytes)
                                if tls != nil, outcome == .carryOn || outcome == .close, StartTLSGate.isStartTLS(bytes) {
                                    // STARTTLS was refused: the gate lets through what it held after it.
                                    channel.pipeline.fireUserInboundEventTriggered(StartTLSGate.Resume())
                                }
                            }
                            if outcome != .carryOn { break }
                        }
                        if !signedIn, session.memberID != nil, framer.isIdle {
                            signedIn = true
                            framer = CommandFramer()
                        }
                    case .mailbox(let id): outcome = await session.mailboxChanged(id)
                    case .ended:
                        await session.end("account suspended or signed out")
                        outcome = .close
                    case .fellBehind:
                        await session.end("too far behind; please reconnect")
                        outcome = .close
                    case .revoked:
                        if await !session.memberStillAllowed() {
                            await session.end("account suspended or signed out")
                            outcome = .close
                        }
                    }
                    switch outcome {
                    case .carryOn: break
                    case .close: break loop
                    case .startTLS(let reply):
                        guard let tls else { break loop }
                        // What the client sent in the clear after STARTTLS waits in the `StartTLSGate` and is
                        // dropped when the handshake completes. The OK and the TLS handler go in on one
                        // event-loop turn, so the client's handshake, sent after the OK, is the first thing TLS reads.
                        framer = CommandFramer(maxLiteralSize: signedIn ? IMAPLimits.maxLiteralSize : IMAPServer.maxLiteralBeforeSignIn)
                        try await channel.eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
                            let written = channel.writeAndFlush(ByteBuffer(bytes: reply))
                            do {
                                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
                            } catch {
                                return channel.eventLoop.makeFailedFuture(error)
                            }
                            return written
                        }.get()
                    }
                    if subscription == nil, let memberID = session.memberID {
                        subscription = core.events.sink(accountID: memberID, deliver: { event in
                            switch event.payload {
                            case .mailbox(let account, let mailbox) where account == memberID: input.yield(.mailbox(mailbox))
                            case .reload: input.yield(.mailbox(nil))
                            case .accountEnded(let id) where id == memberID: input.yield(.ended)
                            case .credentialsRevoked(let id) where id == memberID: input.yield(.revoked)
                            default: break
                            }
                            return true
                        }, overflowed: { input.yield(.fellBehind) })
                    }
                }
            }
        } catch {
            logger.debug("IMAP connection ended", metadata: ["error": .string(String(describing: type(of: error)))])
        }
    }
}

/// Closes a connection when IdleStateHandler reports that nothing was read for the idle timeout.
final class IMAPIdleCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            let goodbye = context.channel.allocator.buffer(bytes: Response.untagged(.bye, "autologout; idle for too long"))
            context.writeAndFlush(NIOAny(goodbye)).whenComplete { _ in context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
