import Foundation

/// The periodic check every long-lived stream (messenger WebSocket, Mastodon WebSocket and server-sent
/// events) makes that its token or session still holds, so a revocation or a suspension made by another
/// process (which the in-process event bus never hears of) ends the stream too.
enum StreamRecheck {
    /// Seconds between checks (`STARCON_STREAM_RECHECK_SECONDS`, default 15).
    static let seconds: Int = {
        Int(ProcessInfo.processInfo.environment["STARCON_STREAM_RECHECK_SECONDS"] ?? "") ?? 15
    }()

    /// Returns once `stillValid` says no; throws when the task is cancelled.
    static func waitUntilInvalid(_ stillValid: @Sendable () async throws -> Bool) async throws {
        while true {
            try await Task.sleep(for: .seconds(seconds))
            if try await !stillValid() { return }
        }
    }
}
