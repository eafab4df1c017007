import Logging
import NIOCore
import ServiceLifecycle
import StarconCore

/// Delivers the outbound queue (`MailQueue`) on this node: claims due rows, hands each to its domain's
/// relay with `SMTPClient`, and records the outcome (delivered, tried again later, bounced). Several nodes
/// run this at once; the queue's claims keep them off each other's rows.
public struct OutboundDelivery: Service {
    let core: Core
    let relays: RelayTable
    let node: String
    let logger: Logger
    let client: SMTPClient
    /// Deliveries in flight at once.
    static let parallel = 8

    public init(core: Core, relays: RelayTable, node: String, logger: Logger, timeout: TimeAmount = .seconds(60)) {
        self.core = core
        self.relays = relays
        self.node = node
        self.logger = logger
        self.client = SMTPClient(heloName: core.mail.domain, timeout: timeout)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                var nap: Int64 = 1_000
                do {
                    let items = try await core.mailQueue.claim(node: node, limit: Self.parallel)
                    if !items.isEmpty {
                        await withTaskGroup(of: Void.self) { group in
                            for item in items { group.addTask { await deliver(item) } }
                        }
                        continue
                    }
                    if let due = try await core.mailQueue.nextDue() {
                        nap = max(50, min(nap, due - core.clock.nowMilliseconds()))
                    }
                } catch {
                    logger.debug("mail queue unreachable", metadata: ["error": .string("\(error)")])
                }
                try? await Task.sleep(for: .milliseconds(nap))
            }
        }
    }

    func deliver(_ item: MailQueue.Item) async {
        let route = relays.route(item.domain)
        let outcome = await client.send(item.raw, from: item.sender, to: item.recipient, host: route.host, port: route.port)
        var metadata: Logger.Metadata = ["queue": .stringConvertible(item.id), "to": .string(item.recipient),
                                         "relay": .string("\(route.host):\(route.port)"), "attempt": .stringConvertible(item.attempts + 1)]
        do {
            switch outcome {
            case .delivered:
                try await core.mailQueue.delivered(item, node: node)
                logger.info("smtp relayed", metadata: metadata)
            case .temporary(let reason):
                metadata["reason"] = .string(reason)
                let bounced = try await core.mailQueue.deferred(item, node: node, reason: reason)
                logger.info(bounced ? "smtp bounced after the last retry" : "smtp deferred", metadata: metadata)
            case .permanent(let reason):
                metadata["reason"] = .string(reason)
                try await core.mailQueue.failed(item, node: node, reason: reason)
                logger.info("smtp bounced", metadata: metadata)
            }
        } catch {
            // The claim runs out and the row is tried again (a delivered message may then go twice, which
            // SMTP allows; losing it would not be).
            logger.warning("mail queue outcome not recorded", metadata: ["queue": .stringConvertible(item.id), "error": .string("\(error)")])
        }
    }
}
