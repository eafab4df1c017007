import NIOCore
import Synchronization

/// How many connections the listeners hold open: in all, and from one client address. Shared by every
/// listener of the process (HTTP, NNTP, and the mail listeners to come), since they share one file-descriptor table.
public final class ConnectionGate: Sendable {
    public struct Limits: Sendable {
        /// Connections open at once over all listeners.
        public var total: Int
        /// Connections open at once from one IP address.
        public var perAddress: Int

        public init(total: Int, perAddress: Int) {
            self.total = total
            self.perAddress = perAddress
        }

        /// File descriptors kept for the store, media files and logs when the total is taken from the fd limit.
        public static let reservedDescriptors = 128
        public static let defaultPerAddress = 256
        public static let maximumTotal = 16_384

        /// The total when none is configured: what the process's file-descriptor limit leaves after the reserve,
        /// so accepting never runs the process out of descriptors.
        public static func defaultTotal(descriptorLimit: Int) -> Int {
            min(maximumTotal, max(16, descriptorLimit - reservedDescriptors))
        }
    }

    private struct Counts {
        var total = 0
        var byAddress: [String: Int] = [:]
    }

    public let limits: Limits
    private let counts = Mutex(Counts())

    public init(limits: Limits) {
        self.limits = limits
    }

    /// Counts `channel` until it closes and returns true; over a cap, closes it and returns false.
    public func admit(_ channel: any Channel) -> Bool {
        let address = Self.address(of: channel)
        let admitted = counts.withLock { counts -> Bool in
            guard counts.total < limits.total, counts.byAddress[address, default: 0] < limits.perAddress else { return false }
            counts.total += 1
            counts.byAddress[address, default: 0] += 1
            return true
        }
        guard admitted else {
            channel.close(promise: nil)
            return false
        }
        channel.closeFuture.whenComplete { _ in self.release(address) }
        return true
    }

    /// Connections open now (for tests and metrics).
    public var open: Int { counts.withLock { $0.total } }

    private func release(_ address: String) {
        counts.withLock { counts in
            counts.total -= 1
            let left = counts.byAddress[address, default: 1] - 1
            counts.byAddress[address] = left > 0 ? left : nil
        }
    }

    private static func address(of channel: any Channel) -> String {
        guard let remote = channel.remoteAddress else { return "unknown" }
        return remote.ipAddress ?? remote.description
    }
}
