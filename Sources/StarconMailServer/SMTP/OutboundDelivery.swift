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
                    // A read first: the claim is a write, which an idle queue should not cost every second.
                    if let due = try await core.mailQueue.nextDue() {
                        let wait = due - core.clock.nowMilliseconds()
                        if wait <= 0 {
                            let items = try await core.mailQueue.claim(node: node, limit: Self.parallel)
                            if !items.isEmpty {
                                await withTaskGroup(of: Void.self) { group in
                                    for item in items { group.addTask { await deliver(item) } }
                                }
                                continue
                            }
                        }
                        nap = max(50, min(nap, wait))
                    }
                } catch {
                    logger.debug("mail queue unreachable", metadata: ["error": .string("\(error)")])
                }
                try? await Task.sleep(for: .milliseconds(nap))
            }
        }
    }

    /// The hosts to try for `domain`, in order: its relay; else its MX hosts; else the domain itself.
    func hosts(for domain: String) async -> [RelayTable.Host] {
        if let relay = relays.relay(for: domain) { return [relay] }
        let exchangers = await MXResolver.lookup(domain)
        if exchangers.isEmpty { return [RelayTable.Host(host: domain, port: 25)] }
        return exchangers.prefix(5).map { RelayTable.Host(host: $0.host, port: 25) }
    }

    func deliver(_ item: MailQueue.Item) async {
        var outcome = SMTPClient.Outcome.temporary("no host for \(item.domain)")
        var tried: [String] = []
        for route in await hosts(for: item.domain) {
            tried.append("\(route.host):\(route.port)")
            outcome = await client.send(item.raw, from: item.sender, to: item.recipient, host: route.host, port: route.port)
            // A temporary failure at one exchanger tries the next (RFC 5321 §5.1); an answer is final.
            if case .temporary = outcome { continue }
            break
        }
        var metadata: Logger.Metadata = ["queue": .stringConvertible(item.id), "to": .string(item.recipient),
                                         "relay": .string(tried.joined(separator: ",")), "attempt": .stringConvertible(item.attempts + 1)]
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
