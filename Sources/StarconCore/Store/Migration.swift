import SQLKit

/// One numbered schema change in raw SQL. The statements run in one transaction with the version row,
/// so a migration is applied entirely or not at all.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let statements: [String]
    /// Statements for one engine only (run after `statements`): an index kind the other engine lacks,
    /// such as SQLite's FTS5 tables or PostgreSQL's pg_trgm.
    public let sqliteOnly: [String]
    public let postgresOnly: [String]

    public init(_ version: Int, _ name: String, _ statements: [String], sqlite: [String] = [], postgres: [String] = []) {
        self.version = version
        self.name = name
        self.statements = statements
        self.sqliteOnly = sqlite
        self.postgresOnly = postgres
    }

    /// Every statement this engine runs, in order.
    func statements(for engine: DatabaseEngine) -> [String] {
        statements + (engine == .sqlite ? sqliteOnly : postgresOnly)
    }

    /// The statement as the engine should see it. `BIGINT PRIMARY KEY` becomes `INTEGER PRIMARY KEY` on
    /// SQLite so the id is the table's rowid (one B-tree instead of two); both are 64-bit.
    func sql(_ statement: String, for engine: DatabaseEngine) -> String {
        switch engine {
        case .postgres: statement
        case .sqlite: statement.replacingOccurrences(of: "BIGINT PRIMARY KEY", with: "INTEGER PRIMARY KEY")
        }
    }
}

/// Applies the migrations that are missing, recording each in `schema_migrations`.
///
/// Safe to run twice and from two processes at once: the whole run is one write transaction, which on
/// SQLite holds the database's write lock (BEGIN IMMEDIATE) and on PostgreSQL first takes an advisory lock.
public enum Migrator {
    static let advisoryLockKey = 7_270_011_001

    @discardableResult
    public static func migrate(_ database: any Database, migrations: [Migration] = Schema.migrations, now: Int64) async throws -> [Int] {
        let engine = database.engine
        return try await database.write { db in
            if engine == .postgres {
                try await db.raw("SELECT pg_advisory_xact_lock(\(bind: advisoryLockKey))").run()
            }
            try await db.raw("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
                """).run()
            let applied = Set(try await db.raw("SELECT version FROM schema_migrations").all()
                .map { try $0.decode(column: "version", as: Int.self) })
            var newlyApplied: [Int] = []
            for migration in migrations.sorted(by: { $0.version < $1.version }) where !applied.contains(migration.version) {
                for statement in migration.statements(for: engine) {
                    try await db.raw("\(unsafeRaw: migration.sql(statement, for: engine))").run()
                }
                try await db.raw("""
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: now))
                    """).run()
                newlyApplied.append(migration.version)
            }
            return newlyApplied
        }
    }

    /// The highest applied version, or nil on an empty database.
    public static func currentVersion(_ database: any Database) async throws -> Int? {
        try await database.read { db in
            try await db.raw("SELECT MAX(version) AS v FROM schema_migrations").first()?.decode(column: "v", as: Int?.self)
        }
    }
}
