import Logging
import NIOCore
import NIOPosix

extension ServerBootstrap {
    /// The listening socket every line-protocol listener (NNTP, SMTP, IMAP) opens the same way: a 256-connection
    /// backlog, address reuse, the `ListenerGuard` in front when connections are capped, and no Nagle delay.
    public static func guardedListener(gate: ConnectionGate?, logger: Logger) -> ServerBootstrap {
        ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let gate { try channel.pipeline.syncOperations.addHandler(ListenerGuard(gate: gate, logger: logger)) }
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    }
}
