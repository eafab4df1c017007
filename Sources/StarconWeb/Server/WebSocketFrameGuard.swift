import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Checks what the WebSocket layer lets through, for every WebSocket route at once (the messenger's stream,
/// Mastodon streaming): a client frame must be masked (RFC 6455 §5.1: else close with 1002), and a text message
/// must be UTF-8 (§8.1: else close with 1007). It sits right after the frame decoder, so the routes' message
/// loops only ever see well-formed frames.
final class WebSocketFrameGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// Text messages longer than this are not collected for checking: the routes refuse them for their size.
    private let maxTextBytes: Int
    /// The text message being received in fragments, while it is short enough to check.
    private var text: ByteBuffer?
    private var closing = false

    init(maxTextBytes: Int) {
        self.maxTextBytes = maxTextBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let frame = unwrapInboundIn(data)
        guard frame.maskKey != nil else { return fail(.protocolError, "Client frames must be masked", context: context) }
        switch frame.opcode {
        case .text:
            text = frame.unmaskedData
        case .continuation where text != nil:
            var payload = frame.unmaskedData
            text!.writeBuffer(&payload)
        default:
            break
        }
        if let collected = text, collected.readableBytes > maxTextBytes {
            text = nil
        } else if frame.fin, let collected = text, frame.opcode == .text || frame.opcode == .continuation {
            text = nil
            guard String(validating: collected.readableBytesView, as: UTF8.self) != nil else {
                return fail(.dataInconsistentWithMessage, "Text messages must be UTF-8", context: context)
            }
        }
        context.fireChannelRead(data)
    }

    private func fail(_ code: WebSocketErrorCode, _ reason: String, context: ChannelHandlerContext) {
        closing = true
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(reason)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
        context.writeAndFlush(wrapOutboundOut(frame)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}

/// Waits at the end of the HTTP pipeline for a WebSocket upgrade to complete, then puts a `WebSocketFrameGuard`
/// right after the frame decoder the upgrade added.
final class WebSocketUpgradeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let maxTextBytes: Int

    init(maxTextBytes: Int) {
        self.maxTextBytes = maxTextBytes
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .upgradeComplete? = event as? HTTPServerUpgradeEvents {
            let pipeline = context.pipeline.syncOperations
            if let decoder = try? pipeline.context(handlerType: ByteToMessageHandler<WebSocketFrameDecoder>.self) {
                try? pipeline.addHandler(WebSocketFrameGuard(maxTextBytes: maxTextBytes), position: .after(decoder.handler))
            }
            pipeline.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}
