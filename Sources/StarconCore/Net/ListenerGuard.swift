import Logging
import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The first handler of every listener's server channel. It admits each accepted connection through the
/// shared `ConnectionGate` (closing those over a cap before anything else is spent on them), and when accepting
/// fails for want of descriptors or memory it stops watching the listening socket for a while.
///
/// NIO's own `AcceptBackoffHandler` delays the next `read`, but after a failed `accept` the channel still has a
/// read pending and stays registered for readability, so the event loop wakes at once for the same waiting
/// connection, fails again, and spins. Turning `autoRead` off unregisters the socket until the pause ends.
public final class ListenerGuard: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = any Channel
    public typealias InboundOut = any Channel
    public typealias OutboundIn = Never
    public typealias OutboundOut = Never

    /// How long accepting pauses after the process ran out of descriptors.
    public static let exhaustionPause = TimeAmount.seconds(1)

    private let gate: ConnectionGate
    private let pause: TimeAmount
    private let logger: Logger
    private var resume: Scheduled<Void>?

    public init(gate: ConnectionGate, pause: TimeAmount = ListenerGuard.exhaustionPause, logger: Logger) {
        self.gate = gate
        self.pause = pause
        self.logger = logger
    }

    /// Puts a guard first on a listening channel that is already running.
    public static func install(on channel: any Channel, gate: ConnectionGate, logger: Logger) async throws {
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(ListenerGuard(gate: gate, logger: logger), position: .first)
        }.get()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard gate.admit(unwrapInboundIn(data)) else { return }
        context.fireChannelRead(data)
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? IOError, [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.errnoCode) {
            pauseAccepting(context: context)
        }
        context.fireErrorCaught(error)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        resume?.cancel()
        resume = nil
    }

    private func pauseAccepting(context: ChannelHandlerContext) {
        guard resume == nil, let options = context.channel.syncOptions else { return }
        logger.warning("accepting paused: the process is out of file descriptors or memory",
                       metadata: ["open_connections": .stringConvertible(gate.open)])
        // Only a change of autoRead from true to false unregisters the socket; a read is pending either way.
        let autoRead = (try? options.getOption(.autoRead)) ?? true
        if !autoRead { try? options.setOption(.autoRead, value: true) }
        try? options.setOption(.autoRead, value: false)
        resume = context.eventLoop.assumeIsolated().scheduleTask(in: pause) {
            self.resume = nil
            if autoRead {
                try? context.channel.syncOptions?.setOption(.autoRead, value: true)
            } else {
                context.read()
            }
        }
    }
}
