import Foundation
import Logging
import SQLKit

/// Periodic work, run by exactly one node at a time: each job is a row of `jobs` with the time it is next
/// due. A node claims a due job by setting `claimed_by` and `claimed_until` in one statement (on PostgreSQL
/// the row is picked `FOR UPDATE SKIP LOCKED`, so two nodes never wait on or take the same one; on SQLite the
/// single writer does the same), runs it while renewing the claim, and schedules its next run. A node that
/// dies mid-job leaves a claim that runs out after `lease`; another node then takes the job.
public final class JobRunner: Sendable {
    public struct Job: Sendable {
        public let name: String
        /// Milliseconds between runs.
        public let every: Int64
        /// Milliseconds after the row is first made before the first run.
        public let firstAfter: Int64
        public let run: @Sendable () async throws -> Void

        public init(name: String, every: Int64, firstAfter: Int64? = nil, run: @escaping @Sendable () async throws -> Void) {
            self.name = name
            self.every = max(every, 1)
            self.firstAfter = firstAfter ?? min(every, 60_000)
            self.run = run
        }
    }

    let database: any Database
    let clock: Clock
    let node: String
    let jobs: [String: Job]
    let lease: Int64
    let logger: Logger
    /// The longest a runner sleeps before looking again (another node may have changed the table).
    static let maxNap: Int64 = 5_000

    /// `lease` in milliseconds (`STARCON_JOB_LEASE_SECONDS`, default 60).
    public init(database: any Database, clock: Clock, node: String, jobs: [Job], lease: Int64? = nil, logger: Logger) {
        self.database = database
        self.clock = clock
        self.node = node
        self.jobs = Dictionary(jobs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.lease = lease ?? Int64(ProcessInfo.processInfo.environment["STARCON_JOB_LEASE_SECONDS"].flatMap { Int($0) } ?? 60) * 1000
        self.logger = logger
    }

    /// Runs jobs as they fall due until cancelled.
    public func run() async {
        while !Task.isCancelled {
            do {
                try await register()
                break
            } catch {
                logger.warning("jobs could not be registered, retrying", metadata: ["error": .string("\(error)")])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        while !Task.isCancelled {
            var nap = Self.maxNap
            do {
                if let name = try await claim() {
                    await runClaimed(name)
                    continue
                }
                if let due = try await nextDue() { nap = max(10, min(nap, due - clock.nowMilliseconds())) }
            } catch {
                logger.debug("job table unreachable", metadata: ["error": .string("\(error)")])
            }
            try? await Task.sleep(for: .milliseconds(nap))
        }
    }

    /// Makes the rows of this node's jobs; an existing row keeps its schedule and takes the new interval.
    func register() async throws {
        let now = clock.nowMilliseconds()
        let jobs = Array(self.jobs.values)
        try await database.write { db in
            for job in jobs {
                try await db.raw("""
                    INSERT INTO jobs (name, due_at, every_ms) VALUES (\(bind: job.name), \(bind: now + job.firstAfter), \(bind: job.every))
                    ON CONFLICT (name) DO UPDATE SET every_ms = excluded.every_ms,
                        due_at = CASE WHEN jobs.due_at > \(bind: now + job.every) THEN \(bind: now + job.every) ELSE jobs.due_at END
                    """).run()
            }
        }
    }

    /// Claims one due job of this node's; nil when none is due.
    func claim() async throws -> String? {
        let now = clock.nowMilliseconds(), node = self.node, lease = self.lease
        let names = SQLList(jobs.keys.sorted().map { SQLBind($0) })
        let skipLocked = database.engine == .postgres ? "FOR UPDATE SKIP LOCKED" : ""
        return try await database.write { db in
            try await db.raw("""
                UPDATE jobs SET claimed_by = \(bind: node), claimed_until = \(bind: now + lease)
                WHERE name = (SELECT name FROM jobs WHERE due_at <= \(bind: now) AND claimed_until < \(bind: now) AND name IN (\(names))
                              ORDER BY due_at LIMIT 1 \(unsafeRaw: skipLocked))
                  AND claimed_until < \(bind: now)
                RETURNING name
                """).first()?.decode(column: "name", as: String.self)
        }
    }

    func nextDue() async throws -> Int64? {
        let names = SQLList(jobs.keys.sorted().map { SQLBind($0) })
        return try await database.read { db in
            try await db.raw("""
                SELECT MIN(CASE WHEN claimed_until > due_at THEN claimed_until ELSE due_at END) AS due FROM jobs WHERE name IN (\(names))
                """).first()?.decode(column: "due", as: Int64?.self) ?? nil
        }
    }

    /// Runs a claimed job, renewing the claim every third of the lease, and records the outcome.
    func runClaimed(_ name: String) async {
        guard let job = jobs[name] else { return }
        let node = self.node, lease = self.lease, clock = self.clock, database = self.database
        let renewal = Task {
            while !Task.isCancelled {
                do { try await Task.sleep(for: .milliseconds(lease / 3)) } catch { return }
                let now = clock.nowMilliseconds()
                _ = try? await database.write { db in
                    try await db.raw("""
                        UPDATE jobs SET claimed_until = \(bind: now + lease) WHERE name = \(bind: name) AND claimed_by = \(bind: node)
                        """).run()
                }
            }
        }
        var failure: String?
        let started = ContinuousClock.now
        do {
            try await job.run()
        } catch {
            failure = String(String(describing: error).prefix(500))
        }
        renewal.cancel()
        let now = clock.nowMilliseconds()
        let next = failure == nil ? now + job.every : now + min(job.every, 60_000)
        let outcome = failure
        if let failure {
            logger.warning("job failed", metadata: ["job": .string(name), "error": .string(failure)])
        } else {
            logger.debug("job ran", metadata: ["job": .string(name), "seconds": .stringConvertible(started.duration(to: .now))])
        }
        // Recorded even when this node is stopping (a task of its own is not cancelled with the runner), so a
        // run that happened is counted once and not run again by another node.
        let recording = Task {
            try await database.write { db in
                try await db.raw("""
                    UPDATE jobs SET due_at = \(bind: next), claimed_by = NULL, claimed_until = 0, runs = runs + 1,
                        last_node = \(bind: node), last_run_at = \(bind: now), last_error = \(bind: outcome)
                    WHERE name = \(bind: name) AND claimed_by = \(bind: node)
                    """).run()
            }
        }
        do {
            try await recording.value
        } catch {
            logger.warning("job outcome not recorded (its claim will run out)", metadata: ["job": .string(name), "error": .string("\(error)")])
        }
    }

    /// The job table as it stands, for `starcon jobs` and the tests.
    public static func list(_ database: any Database) async throws -> [JobState] {
        try await database.read { db in
            try await db.raw("""
                SELECT name, due_at, every_ms, claimed_by, claimed_until, runs, last_node, last_run_at, last_error FROM jobs ORDER BY name
                """).all().map { row in
                JobState(name: try row.decode(column: "name", as: String.self),
                         dueAt: try row.decode(column: "due_at", as: Int64.self),
                         every: try row.decode(column: "every_ms", as: Int64.self),
                         claimedBy: try row.decode(column: "claimed_by", as: String?.self),
                         claimedUntil: try row.decode(column: "claimed_until", as: Int64.self),
                         runs: try row.decode(column: "runs", as: Int64.self),
                         lastNode: try row.decode(column: "last_node", as: String?.self),
                         lastRunAt: try row.decode(column: "last_run_at", as: Int64?.self),
                         lastError: try row.decode(column: "last_error", as: String?.self))
            }
        }
    }
}

public struct JobState: Sendable, Equatable {
    public let name: String
    public let dueAt: Int64
    public let every: Int64
    public let claimedBy: String?
    public let claimedUntil: Int64
    public let runs: Int64
    public let lastNode: String?
    public let lastRunAt: Int64?
    public let lastError: String?
}
