import ArgumentParser
import Foundation
import StarconCore

/// `starcon jobs`: the periodic work the serving nodes share, as the job table says (who ran it last, when,
/// how often, the last error), so an operator sees at a glance that each runs once and none is stuck.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "List the jobs serving nodes run, one node at a time.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let (jobs, now) = try await store.withCore { core in (try await JobRunner.list(core.database), core.clock.nowMilliseconds()) }
        print(["NAME", "EVERY_S", "DUE_IN_S", "RUNS", "LAST_NODE", "LAST_RUN_S_AGO", "CLAIMED_BY", "LAST_ERROR"].joined(separator: "\t"))
        for job in jobs {
            let claimed = job.claimedUntil > now ? job.claimedBy ?? "-" : "-"
            print([job.name, String(job.every / 1000), String((job.dueAt - now) / 1000), String(job.runs), job.lastNode ?? "-",
                   job.lastRunAt.map { String((now - $0) / 1000) } ?? "-", claimed, job.lastError ?? "-"].joined(separator: "\t"))
        }
    }
}
