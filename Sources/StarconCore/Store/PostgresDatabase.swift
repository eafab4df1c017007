import Logging
import NIOConcurrencyHelpers
import PostgresKit
import SQLKit

/// PostgreSQL through PostgresNIO's connection pool (`PostgresClient`), which runs in its own task.
public final class PostgresDatabase: Database {
    public let engine = DatabaseEngine.postgres
    private let client: PostgresClient
    private let runTask: Task<Void, Never>
    /// For the one connection of its own that listens for the event log's notifications.
    private let listenConfiguration: PostgresConnection.Configuration
    private let logger: Logger
    private let leased = NIOLockedValueBox(0)
    static let maximumConnections = 20

    private init(client: PostgresClient, runTask: Task<Void, Never>, listenConfiguration: PostgresConnection.Configuration, logger: Logger) {
        self.client = client
        self.runTask = runTask
        self.listenConfiguration = listenConfiguration
        self.logger = logger
    }

    public static func open(url: String, logger: Logger) async throws -> PostgresDatabase {
        let redacted = DatabaseLocation.redacted(url)
        guard let sqlConfiguration = try? SQLPostgresConfiguration(url: url) else {
            throw ConfigurationError("--database \(redacted) is not a valid PostgreSQL URL (postgres://user:pass@host:port/db)")
        }
        let core = sqlConfiguration.coreConfiguration
        guard let host = core.host, let port = core.port else {
            throw ConfigurationError("--database \(redacted) must name a host and port")
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: core.username, password: core.password,
            database: core.database, tls: .disable)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)
        let client = PostgresClient(configuration: configuration, backgroundLogger: quiet)
        let task = Task { await client.run() }
        var listen = PostgresConnection.Configuration(
            host: host, port: port, username: core.username, password: core.password, database: core.database, tls: .disable)
        listen.options.connectTimeout = .seconds(5)
        let database = PostgresDatabase(client: client, runTask: task, listenConfiguration: listen, logger: quiet)
        do {
            try await withTimeout(seconds: 8) { try await database.ping() }
        } catch {
            await database.close()
            throw ConfigurationError("cannot reach PostgreSQL at \(redacted): \(String(reflecting: error).prefix(200))")
        }
        return database
    }

    public var openConnections: Int { leased.withLockedValue { $0 } }

    /// LISTENs on a connection of its own (a pooled one would be handed to others), reconnecting with a
    /// growing pause (at most 2 s) whenever it drops, and calls `changed` after each (re)connection so
    /// whatever was committed meanwhile is read.
    public func watchForeignCommits(_ changed: @escaping @Sendable () -> Void) async {
        var pause = Duration.milliseconds(100)
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            do {
                let connection = try await PostgresConnection.connect(configuration: listenConfiguration, id: attempt, logger: logger)
                pause = .milliseconds(100)
                do {
                    try await withTaskCancellationHandler {
                        try await connection.listen(on: EventLog.channel) { notifications in
                            changed()
                            for try await _ in notifications { changed() }
                        }
                    } onCancel: {
                        connection.close().whenComplete { _ in }
                    }
                } catch {
                    logger.debug("event log listener dropped", metadata: ["error": .string("\(error)")])
                }
                // Always closed before it is released, however the listening ended (PostgresNIO insists).
                try? await connection.close()
            } catch {
                if Task.isCancelled { return }
                logger.debug("event log listener reconnecting", metadata: ["error": .string("\(error)")])
            }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(2))
        }
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withConnection { db in try await body(db) }
    }

    public func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        // Our own BEGIN/COMMIT rather than PostgresClient.withTransaction, so a rule the body breaks
        // reaches the caller as itself (a CoreError), as on SQLite, not wrapped in a transaction error.
        try await withConnection { db in try await db.transaction(body) }
    }

    /// How long a request waits for a connection. The pool itself would wait for ever while the server
    /// is down; this turns that into an error the surfaces can answer (a 500 page, a 503 health check).
    static let leaseTimeout = Duration.seconds(10)

    private func withConnection<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let hasConnection = NIOLockedValueBox(false)
        let client = self.client
        let leased = self.leased
        return try await withoutActuallyEscaping(body) { body in
            try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await client.withConnection { connection in
                        hasConnection.withLockedValue { $0 = true }
                        leased.withLockedValue { $0 += 1 }
                        defer { leased.withLockedValue { $0 -= 1 } }
                        return try await body(connection.sql(queryLogLevel: nil))
                    }
                }
                group.addTask {
                    try await Task.sleep(for: Self.leaseTimeout)
                    if hasConnection.withLockedValue({ $0 }) { return nil }
                    throw StoreUnavailableError()
                }
                while let next = try await group.next() {
                    if let value = next {
                        group.cancelAll()
                        return value
                    }
                }
                throw StoreUnavailableError()
            }
        }
    }

    public func close() async {
        runTask.cancel()
        _ = await runTask.value
    }
}

/// Runs `body`, failing with `TimeoutError` when it takes longer than `seconds`.
public func withTimeout<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            throw TimeoutError()
        }
        let result = try await group.next()!
        group.cancelAll()
        return result
    }
}

/// The store did not answer in time (PostgreSQL down or every connection busy).
public struct StoreUnavailableError: Error, CustomStringConvertible {
    public var description: String { "the database did not answer in time" }
}

public struct TimeoutError: Error, CustomStringConvertible {
    public var description: String { "timed out" }
}
