import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import StarconCore
import StarconTLS

/// The NNTP listener (RFC 3977), a `Service` in the process's group. Each connection runs in its own task;
/// one client's error or slowness never reaches another.
public struct NNTPServer: Service {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// A connection with no input for this long is closed (during a POST too).
        public var idleTimeout: TimeAmount
        /// A POST whose article has not ended this long after the 340 is answered 441 and closed, however
        /// steadily its lines trickle in (each line resets the idle timeout, not this one).
        public var postTimeout: TimeAmount
        /// Caps on open connections, shared with the other listeners; nil for none (tests).
        public var connections: ConnectionGate?
        /// STARTTLS (RFC 4642) is offered when set.
        public var tls: ServerTLS?

        public init(host: String, port: Int, idleTimeout: TimeAmount = .seconds(NNTPLimits.idleTimeoutSeconds),
                    postTimeout: TimeAmount = .seconds(NNTPLimits.postTimeoutSeconds)) {
            self.host = host
            self.port = port
            self.idleTimeout = idleTimeout
            self.postTimeout = postTimeout
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
        let (gate, logger) = (configuration.connections, self.logger)
        let server = try await ServerBootstrap.guardedListener(gate: gate, logger: logger)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(IdleCloser())
                    try channel.pipeline.syncOperations.addHandler(LineFramer(maxLength: NNTPLimits.maxCommandLine))
                    return try NIOAsyncChannel<LineFrame, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        logger.info("NNTP listening", metadata: ["port": .stringConvertible(server.channel.localAddress?.port ?? configuration.port)])
        onListening(server.channel.localAddress?.port ?? configuration.port)
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { clients in
                    for try await client in clients {
                        group.addTask {
                            // A stopping server tells each reader and closes its connection, so the shutdown
                            // never waits for idle newsreaders.
                            await withGracefulShutdownHandler {
                                await serve(client)
                            } onGracefulShutdown: {
                                var goodbye = ByteBufferAllocator().buffer(capacity: 48)
                                goodbye.writeString("400 Service shutting down\r\n")
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

    private func serve(_ client: NIOAsyncChannel<LineFrame, ByteBuffer>) async {
        let peer = client.channel.remoteAddress?.ipAddress ?? "unknown"
        var logger = self.logger
        logger[metadataKey: "nntp.peer"] = .string(peer)
        let session = NNTPSession(core: core, peerAddress: peer, tlsAvailable: configuration.tls != nil)
        // Once a member signs in, their `accountEnded` event (a suspension, a password change, on any node)
        // ends this connection at once: "400" and close, as RFC 3977 §3.2.1 allows at any time.
        var ending: EventSink?
        defer { ending?.cancel() }
        let channel = client.channel
        do {
            try await client.executeThenClose { inbound, outbound in
                try await outbound.write(encode(session.greeting))
                var collector: ArticleCollector?
                var postDeadline: Scheduled<Void>?
                defer { postDeadline?.cancel() }
                for try await frame in inbound {
                    let event: InboundLine
                    switch frame {
                    case .line(let buffer, _):
                        event = .line(buffer)
                        // The framer holds what follows a STARTTLS line until it hears whether TLS started.
                        if LineFramer.isStartTLS(buffer), collector != nil {
                            channel.pipeline.fireUserInboundEventTriggered(LineFramer.Resume())
                        }
                    case .tooLong: event = .overlong
                    }
                    if var article = collector {
                        if article.add(event) {
                            collector = nil
                            postDeadline?.cancel()
                            postDeadline = nil
                            let response = await session.post(lines: article.lines, truncated: article.truncated)
                            logger.info("nntp", metadata: ["command": "POST", "reply": .string(response.logDescription)])
                            try await outbound.write(encode(response))
                        } else if article.totalBytes > NNTPLimits.maxArticleBytes * 4 {
                            try await outbound.write(encode(NNTPResponse(441, "Article too large")))
                            return
                        } else {
                            collector = article
                        }
                        continue
                    }
                    guard case .line(let buffer) = event else {
                        try await outbound.write(encode(.syntaxError("line too long")))
                        continue
                    }
                    guard let line = String(validating: buffer.readableBytesView, as: UTF8.self) else {
                        try await outbound.write(encode(.syntaxError("command is not valid UTF-8")))
                        continue
                    }
                    let (response, next) = await session.handle(line: line[...])
                    logger.debug("nntp", metadata: ["reply": .string(response.logDescription)])
                    if next == .startTLS, let tls = configuration.tls {
                        // The 382 goes out in the clear and the TLS handler goes first in the pipeline in one
                        // turn of the event loop, so no byte is read between them; the framer drops what the
                        // client sent in the clear after STARTTLS.
                        let reply = encode(response)
                        try await channel.eventLoop.submit {
                            channel.writeAndFlush(reply, promise: nil)
                            try channel.pipeline.syncOperations.addHandler(tls.makeHandler(), position: .first)
                        }.get()
                        continue
                    }
                    if LineFramer.isStartTLS(buffer) { channel.pipeline.fireUserInboundEventTriggered(LineFramer.Resume()) }
                    try await outbound.write(encode(response))
                    if ending == nil, let memberID = session.memberID {
                        let signIn = session.signIn, core = self.core
                        @Sendable func end() {
                            var goodbye = ByteBufferAllocator().buffer(capacity: 64)
                            goodbye.writeString("400 Account suspended or signed out\r\n")
                            channel.writeAndFlush(goodbye).whenComplete { _ in channel.close(promise: nil) }
                        }
                        ending = core.events.sink(accountID: memberID, deliver: { event in
                            switch event.payload {
                            case .accountEnded(let id) where id == memberID: end()
                            // An app password was revoked, or TOTP turned on: end if this session's credential went.
                            case .credentialsRevoked(let id) where id == memberID:
                                if let signIn { Task { if await !core.signIn.stillValid(signIn) { end() } } }
                            default: break
                            }
                            return true
                        }, overflowed: {})
                    }
                    switch next {
                    case .carryOn: break
                    case .receiveArticle:
                        collector = ArticleCollector()
                        postDeadline = Self.abandonPost(on: client.channel, after: configuration.postTimeout)
                    case .close: return
                    case .startTLS: break
                    }
                }
            }
        } catch {
            logger.debug("NNTP connection ended", metadata: ["error": .string(String(describing: type(of: error)))])
        }
    }

    /// Answers 441 and closes the connection unless cancelled first (when the article ends in time).
    private static func abandonPost(on channel: any Channel, after timeout: TimeAmount) -> Scheduled<Void> {
        channel.eventLoop.scheduleTask(in: timeout) {
            var buffer = channel.allocator.buffer(capacity: 64)
            buffer.writeString("441 Posting timed out, closing connection\r\n")
            channel.writeAndFlush(buffer).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private func encode(_ response: NNTPResponse) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: response.lines == nil ? 64 : 4096)
        response.encode(into: &buffer)
        return buffer
    }
}

/// Closes a connection when IdleStateHandler reports that nothing was read for the idle timeout.
final class IdleCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            var buffer = context.channel.allocator.buffer(capacity: 64)
            buffer.writeString("400 Idle timeout, closing connection\r\n")
            context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
