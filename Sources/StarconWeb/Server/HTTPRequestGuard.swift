import NIOCore
import NIOHTTP1

/// Sits right after the HTTP/1 request decoder of every connection. It closes connections that stay silent
/// (no request head after connecting, a request body that stops arriving, a kept-alive connection with no
/// next request), answers requests the decoder cannot parse with 400 (431 for oversized headers) and closes
/// them, and closes a connection whose response began before its request had arrived whole (an early 413 or
/// 401), saying so in the response, so an unread body is never drained.
///
/// Hummingbird's own idle timeout starts only once a first request head has been parsed, and with NIO's error
/// handling turned off a parse error before that reached no one: the connection stayed open with no answer.
final class HTTPRequestGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let timeouts: HTTPTimeouts
    private var timer: Scheduled<Void>?
    /// Request heads read whose response has not ended yet.
    private var unanswered = 0
    /// A request head was read and its end has not been.
    private var readingRequest = false
    /// A response head was written and its end has not been.
    private var responding = false
    /// The response being written was begun before its request had arrived whole: the connection closes after it.
    private var closeAfterResponse = false
    /// A WebSocket upgrade was answered: from then on this handler only passes things along (the bytes that
    /// follow are frames, not HTTP) until it has left the pipeline.
    private var upgraded = false

    init(timeouts: HTTPTimeouts) {
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(timeouts.request, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !upgraded else { return context.fireChannelRead(data) }
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            readingRequest = true
            arm(timeouts.request, context: context)
        case .body:
            arm(timeouts.request, context: context)
        case .end:
            readingRequest = false
            disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !upgraded else { return context.write(data, promise: promise) }
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status == .switchingProtocols:
            // A WebSocket upgrade: the HTTP handlers leave the pipeline, and this one follows once the
            // upgrade's own writes are through (leaving in the middle of one loses its flush).
            upgraded = true
            disarm()
            context.write(data, promise: promise)
            context.eventLoop.assumeIsolated().execute {
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            }
        case .head(var head) where head.status.code >= 200:
            responding = true
            closeAfterResponse = readingRequest && unanswered == 1  // the request being read is the one answered
            guard closeAfterResponse else { return context.write(data, promise: promise) }
            // Answered before its request has arrived whole (an early 413, a redirect): say the connection
            // closes, so the client does not send its next request on it.
            head.headers.replaceOrAdd(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .head:
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            responding = false
            unanswered = max(0, unanswered - 1)
            if closeAfterResponse {
                // Close rather than read a body nobody wants.
                context.writeAndFlush(data, promise: promise)
                context.close(promise: nil)
            } else {
                context.write(data, promise: promise)
                if unanswered == 0 { arm(timeouts.idle, context: context) }
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !upgraded, let error = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        disarm()
        readingRequest = false
        guard !responding else {
            context.close(promise: nil)
            return
        }
        let status: HTTPResponseStatus = error == .headerOverflow ? .requestHeaderFieldsTooLarge : .badRequest
        let body = "\(status.code) \(status.reasonPhrase)\n"
        let headers = HTTPHeaders([
            ("Connection", "close"), ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", String(body.utf8.count)),
        ])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext) {
        disarm()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.timer = nil
            context.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}

/// How long an HTTP connection may stay silent.
public struct HTTPTimeouts: Sendable {
    /// From connecting to a complete request head, and between two parts of a request body.
    public var request: TimeAmount
    /// From the end of a response to the next request head on a kept-alive connection.
    public var idle: TimeAmount

    public static let defaultRequestSeconds = 30
    public static let defaultIdleSeconds = 60

    public init(request: TimeAmount = .seconds(Int64(defaultRequestSeconds)), idle: TimeAmount = .seconds(Int64(defaultIdleSeconds))) {
        self.request = request
        self.idle = idle
    }
}
