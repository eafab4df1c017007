import NIOCore

/// Closes a connection after the idle timeout with `421` (RFC 5321 §4.5.3.2).
final class SMTPIdleCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            var buffer = context.channel.allocator.buffer(capacity: 64)
            buffer.writeString("421 4.4.2 Idle timeout, closing connection\r\n")
            context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
