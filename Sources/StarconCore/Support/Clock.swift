import Foundation
import NIOConcurrencyHelpers

/// The time source every service uses, injected so tests control it.
public struct Clock: Sendable {
    private let read: @Sendable () -> Int64

    public init(_ read: @escaping @Sendable () -> Int64) { self.read = read }

    /// Unix time in milliseconds.
    public func nowMilliseconds() -> Int64 { read() }

    public static let system = Clock { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// A clock that stands still until moved; for tests.
    public static func manual(startingAt milliseconds: Int64) -> (Clock, ManualTime) {
        let time = ManualTime(milliseconds)
        return (Clock { time.value }, time)
    }
}

public final class ManualTime: Sendable {
    private let box: NIOLockedValueBox<Int64>
    init(_ start: Int64) { box = NIOLockedValueBox(start) }
    public var value: Int64 { box.withLockedValue { $0 } }
    public func advance(milliseconds: Int64) { box.withLockedValue { $0 += milliseconds } }
}
