import Logging
import SQLKit

/// Which SQL engine a `Database` talks to. Services use it only where the dialects truly differ
/// (locking during migrations, search indexes); everything else is the same SQLKit code.
public enum DatabaseEngine: String, Sendable {
    case sqlite
    case postgres
}

/// The one storage abstraction: SQLKit over SQLite or PostgreSQL.
///
/// Reads may run concurrently. Writes run inside a transaction on a single connection; on SQLite they are
/// also serialised within the process (one writer), so a write never waits on SQLite's own lock except
/// when another process (a CLI command next to a running server) holds it, which the busy timeout covers.
public protocol Database: Sendable {
    var engine: DatabaseEngine { get }
    /// Runs `body` with a connection for reading.
    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs `body` inside one transaction; commits when it returns, rolls back when it throws.
    func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Number of open connections, for the metrics endpoint.
    var openConnections: Int { get }
    /// Calls `changed` whenever another process may have committed (PostgreSQL: a NOTIFY on the event log's
    /// channel; SQLite: the database's WAL file was written), and once after every (re)connection, until the
    /// task is cancelled. The event log reads by sequence after each call, so a call too many costs one read
    /// and a lost one nothing but latency.
    func watchForeignCommits(_ changed: @escaping @Sendable () -> Void) async
    func close() async
}

extension Database {
    /// Succeeds when the store answers a trivial query.
    public func ping() async throws {
        _ = try await read { db in try await db.raw("SELECT 1 AS one").first() }
    }
}

extension SQLDatabase {
    /// Runs `body` between `begin` and COMMIT on this connection, rolling back when it throws. The caller
    /// guarantees nothing else uses the connection meanwhile (the SQLite writer lock, a leased PostgreSQL
    /// connection).
    func transaction<T: Sendable>(begin: String = "BEGIN", _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await raw("\(unsafeRaw: begin)").run()
        do {
            let result = try await body(self)
            try await raw("COMMIT").run()
            return result
        } catch {
            try? await raw("ROLLBACK").run()
            throw error
        }
    }
}

/// Opens the database named by a `--database` URL.
public enum DatabaseOpener {
    public static func open(_ location: DatabaseLocation, logger: Logger) async throws -> any Database {
        switch location {
        case .sqlite(let path):
            return try await SQLiteDatabase.open(path: path, logger: logger)
        case .postgres(let url):
            return try await PostgresDatabase.open(url: url, logger: logger)
        }
    }
}
