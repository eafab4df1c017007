import StarconCore

/// When a long-lived stream (messenger WebSocket, Mastodon WebSocket and server-sent events) must end, decided
/// from the event log, so a suspension, a password change or a revoked token ends it within moments on every
/// node, with no periodic check against the store.
enum StreamEnding {
    /// Why `event` ends this member's stream, or nil when it does not. `stillValid` re-checks the stream's own
    /// credential; it is asked only when one of the member's credentials was revoked.
    static func reason(_ event: Event, member: Account, stillValid: @Sendable () async throws -> Bool) async -> String? {
        switch event.payload {
        case .accountEnded(let id) where id == member.id:
            return "The account may no longer sign in"
        case .credentialsRevoked(let id) where id == member.id:
            let valid = (try? await stillValid()) ?? false
            return valid ? nil : "The access token was revoked or the account may no longer sign in"
        case .reload:
            return "Reconnect: the server fell behind"
        default:
            return nil
        }
    }
}
