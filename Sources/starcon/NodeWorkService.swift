import Logging
import ServiceLifecycle
import StarconCore

/// What a serving node does besides answering: it keeps its id tag leased and runs the jobs that fall due
/// (home-feed trimming, event-log pruning, …), each on one node at a time however many are serving.
struct NodeWorkService: Service {
    let core: Core
    let jobs: [JobRunner.Job]
    let logger: Logger

    func run() async throws {
        let runner = JobRunner(database: core.database, clock: core.clock, node: core.lease?.holder ?? "node", jobs: jobs, logger: logger)
        let core = self.core, logger = self.logger
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await core.keepLeaseRenewed(logger: logger) }
                group.addTask { await runner.run() }
            }
        }
    }
}
