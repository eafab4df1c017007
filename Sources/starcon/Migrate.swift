import ArgumentParser
import StarconCore

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring the database schema up to date (serve does this too).")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let logger = Logs.quiet()
        let location = try store.location()
        try DataDirectory.prepare(store.dataDirectory)
        let database = try await DatabaseOpener.open(location, logger: logger)
        do {
            let applied = try await Migrator.migrate(database, now: Clock.system.nowMilliseconds())
            let version = try await Migrator.currentVersion(database) ?? 0
            print(applied.isEmpty ? "schema is up to date (version \(version))"
                  : "applied \(applied.map(String.init).joined(separator: ", ")); schema version \(version)")
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }
}
