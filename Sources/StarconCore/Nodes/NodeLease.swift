import Foundation
import Logging
import NIOConcurrencyHelpers
import SQLKit

/// A process's id tag (`IDGenerator`), leased in `node_leases`: a process takes the free tag that has been
/// free longest, renews it every `lifetime / 3`, and gives it back when it stops. A killed process's tag is
/// free again once its lease runs out, and not before, so its ids never collide with a successor's.
public final class NodeLease: Sendable {
    /// Who holds it: host, process id and a random part (two starts of one pid are two holders).
    public let holder: String
    let database: any Database
    let clock: Clock
    private let held = NIOLockedValueBox<UInt8?>(nil)

    /// Milliseconds a lease lasts without renewal (`STARCON_NODE_LEASE_SECONDS`, default 60).
    public static let lifetime: Int64 = {
        Int64(ProcessInfo.processInfo.environment["STARCON_NODE_LEASE_SECONDS"].flatMap { Int($0) } ?? 60) * 1000
    }()

    init(database: any Database, clock: Clock) {
        self.database = database
        self.clock = clock
        let host = ProcessInfo.processInfo.hostName
        holder = "\(host):\(ProcessInfo.processInfo.processIdentifier):\(UInt32.random(in: 0...UInt32.max))"
    }

    public var tag: UInt8? { held.withLockedValue { $0 } }

    /// Takes a free tag; fails when 256 live processes hold them all.
    func acquire() async throws -> UInt8 {
        let now = clock.nowMilliseconds(), holder = self.holder
        let skipLocked = database.engine == .postgres ? "FOR UPDATE SKIP LOCKED" : ""
        let tag = try await database.write { db in
            try await db.raw("""
                UPDATE node_leases SET holder = \(bind: holder), expires_at = \(bind: now + Self.lifetime)
                WHERE tag = (SELECT tag FROM node_leases WHERE expires_at < \(bind: now) ORDER BY expires_at, tag LIMIT 1 \(unsafeRaw: skipLocked))
                  AND expires_at < \(bind: now)
                RETURNING tag
                """).first()?.decode(column: "tag", as: Int64.self)
        }
        guard let tag else { throw NodeLeaseError.noFreeTag }
        held.withLockedValue { $0 = UInt8(tag) }
        return UInt8(tag)
    }

    /// Extends the lease; false when it was lost (this process stalled past its lifetime and another took it).
    func renew() async throws -> Bool {
        guard let tag = self.tag else { return false }
        let now = clock.nowMilliseconds(), holder = self.holder
        return try await database.write { db in
            try await db.raw("""
                UPDATE node_leases SET expires_at = \(bind: now + Self.lifetime)
                WHERE tag = \(bind: Int64(tag)) AND holder = \(bind: holder) RETURNING tag
                """).first() != nil
        }
    }

    /// Gives the tag back at once (a clean stop).
    func release() async {
        guard let tag = self.tag else { return }
        let holder = self.holder
        _ = try? await database.write { db in
            try await db.raw("""
                UPDATE node_leases SET expires_at = 0 WHERE tag = \(bind: Int64(tag)) AND holder = \(bind: holder)
                """).run()
        }
        held.withLockedValue { $0 = nil }
    }

    /// Renews every third of the lifetime until cancelled; a lost lease is replaced by a new tag, which
    /// `ids` adopts.
    func keepRenewed(ids: IDGenerator, logger: Logger) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: .milliseconds(Self.lifetime / 3)) } catch { return }
            do {
                if try await !renew() {
                    let tag = try await acquire()
                    ids.adopt(tag: tag)
                    logger.error("node id lease was lost (the process stalled); took a new tag", metadata: ["tag": .stringConvertible(tag)])
                }
            } catch {
                logger.warning("node id lease renewal failed", metadata: ["error": .string("\(error)")])
            }
        }
    }
}

enum NodeLeaseError: Error, CustomStringConvertible {
    case noFreeTag
    var description: String { "all 256 node id tags are leased by live processes" }
}
