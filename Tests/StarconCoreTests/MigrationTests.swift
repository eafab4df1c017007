import Foundation
import StarconCore
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test(arguments: TestEngine.all)
    func migratingTwiceChangesNothing(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let again = try await Migrator.migrate(core.database, now: 1)
            #expect(again.isEmpty)
            #expect(try await Migrator.currentVersion(core.database) == Schema.migrations.last!.version)
        }
    }

    /// Two processes starting at once (two `starcon migrate`, or serve beside a CLI) on an empty database.
    @Test(arguments: TestEngine.all)
    func concurrentMigrationsFromTwoConnectionsApplyOnce(engine: TestEngine) async throws {
        let location = try await TestStore.makeLocation(engine)
        let first = try await DatabaseOpener.open(location, logger: TestStore.logger)
        let second = try await DatabaseOpener.open(location, logger: TestStore.logger)
        async let a = Migrator.migrate(first, now: 1)
        async let b = Migrator.migrate(second, now: 1)
        let (appliedA, appliedB) = try await (a, b)
        #expect((appliedA + appliedB).sorted() == Schema.migrations.map(\.version))
        let rows = try await first.read { db in try await db.raw("SELECT COUNT(*) AS n FROM schema_migrations").first()!.decode(column: "n", as: Int.self) }
        #expect(rows == Schema.migrations.count)
        await first.close()
        await second.close()
        try await TestStore.drop(location)
    }

    @Test(arguments: TestEngine.all)
    func aFailedWriteRollsBack(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await core.database.write { db in
                    try await db.raw("INSERT INTO settings (name, value) VALUES ('x', 'y')").run()
                    throw Boom()
                }
            }
            let row = try await core.database.read { db in try await db.raw("SELECT value FROM settings WHERE name = 'x'").first() }
            #expect(row == nil)
        }
    }

    @Test func databaseURLsAreCheckedBeforeConnecting() throws {
        #expect(try DatabaseLocation.parse(nil, dataDirectory: "/d") == .sqlite(path: "/d/starcon.sqlite"))
        #expect(try DatabaseLocation.parse("sqlite:/tmp/x.db", dataDirectory: "/d") == .sqlite(path: "/tmp/x.db"))
        #expect(try DatabaseLocation.parse("postgres://u:p@h:5432/db", dataDirectory: "/d") == .postgres(url: "postgres://u:p@h:5432/db"))
        #expect(throws: ConfigurationError.self) { try DatabaseLocation.parse("mysql://h/db", dataDirectory: "/d") }
        #expect(throws: ConfigurationError.self) { try DatabaseLocation.parse("sqlite:", dataDirectory: "/d") }
        #expect(DatabaseLocation.redacted("postgres://u:secret@h/db") == "postgres://u:***@h/db")
    }

    @Test func unreachablePostgresIsAConfigurationError() async throws {
        // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        await #expect(throws: ConfigurationError.self) {
            _ = try await DatabaseOpener.open(.postgres(url: "postgres://u:p@127.0.0.1:9/db"), logger: TestStore.logger)
        }
    }
}
