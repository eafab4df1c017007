import NIOConcurrencyHelpers

/// A thread-safe map that keeps at most `capacity` entries, replacing the oldest inserted first (a ring of
/// keys). Shared by the caches of encoded JSON: message frames and status members.
final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct State {
        var values: [Key: Value] = [:]
        var order: [Key] = []
        var next = 0
    }
    private let state = NIOLockedValueBox(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    subscript(key: Key) -> Value? {
        state.withLockedValue { $0.values[key] }
    }

    /// Stores `value` under `key`; a key already present keeps its place in the ring.
    func set(_ value: Value, for key: Key) {
        state.withLockedValue { state in
            if state.values.updateValue(value, forKey: key) != nil { return }
            if state.order.count < capacity {
                state.order.append(key)
            } else {
                state.values[state.order[state.next]] = nil
                state.order[state.next] = key
                state.next = (state.next + 1) % capacity
            }
        }
    }
}
