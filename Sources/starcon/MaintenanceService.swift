import Logging
import ServiceLifecycle
import StarconCore

/// Housekeeping the server does by itself while it runs: today, trimming home feeds to their newest rows
/// (`FeedService.trimHomeFeeds`). First a minute after start, then every `interval`.
struct MaintenanceService: Service {
    let core: Core
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var wait = min(interval, .seconds(60))
            while !Task.isCancelled {
                do { try await Task.sleep(for: wait) } catch { return }
                wait = interval
                do {
                    let clock = ContinuousClock(), start = clock.now
                    try await core.feed.trimHomeFeeds()
                    logger.debug("home feeds trimmed", metadata: ["seconds": .stringConvertible(start.duration(to: clock.now))])
                } catch {
                    logger.warning("home feed trim failed", metadata: ["error": .string("\(error)")])
                }
            }
        }
    }
}
