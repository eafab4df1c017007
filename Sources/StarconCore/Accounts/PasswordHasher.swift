import HummingbirdBcrypt
import NIOPosix

/// bcrypt, run on a thread pool: a hash takes tens of milliseconds and must never block an event loop.
public struct PasswordHasher: Sendable {
    public let cost: UInt8
    /// Called before each verification: tests count how many passwords were actually checked.
    let onVerify: (@Sendable () -> Void)?

    public init(cost: UInt8 = 10, onVerify: (@Sendable () -> Void)? = nil) {
        precondition(cost >= 10, "bcrypt cost below 10 is too weak")
        self.cost = cost
        self.onVerify = onVerify
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        onVerify?()
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// A hash of nothing in particular, verified against when the username is unknown, so the answer
    /// takes as long as for a real account and does not reveal which usernames exist.
    static let decoyHash = Bcrypt.hash(Secrets.token(), cost: 10)
}
