import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 channel with WebSocket upgrade, with Starcon's guards added to each connection's
/// pipeline: `HTTPRequestGuard` after the request decoder, and a watcher that puts a `WebSocketFrameGuard` on
/// upgraded connections.
struct GuardedHTTPChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let inner: HTTP1WebSocketUpgradeChannel
    let timeouts: HTTPTimeouts
    let maxWebSocketText: Int

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(HTTPRequestGuard(timeouts: timeouts), position: .after(decoder.handler))
            try pipeline.addHandler(WebSocketUpgradeWatcher(maxTextBytes: maxWebSocketText), position: .last)
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with WebSocket upgrades on `webSocketRouter`, every connection guarded (see `GuardedHTTPChannel`).
    static func guardedHTTP1WebSocketUpgrade(
        webSocketRouter: Router<StreamContext>, webSocket: WebSocketServerConfiguration, timeouts: HTTPTimeouts
    ) -> HTTPServerBuilder {
        let webSocketResponder = webSocketRouter.buildResponder()
        return HTTPServerBuilder { responder in
            let configuration = HTTP1WebSocketUpgradeChannel.Configuration(
                http1: .init(idleTimeout: timeouts.idle), ws: webSocket)
            return GuardedHTTPChannel(
                inner: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
                timeouts: timeouts, maxWebSocketText: webSocket.maxFrameSize)
        }
    }
}
