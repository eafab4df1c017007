import Foundation
import Logging
import PostgresKit
import StarconCore
import Testing

/// The engines every store test runs on. PostgreSQL comes from `STARCON_TEST_POSTGRES_URL` (the test script
/// starts a server and sets it); with `STARCON_REQUIRE_POSTGRES=1` a missing server fails the tests instead
/// of skipping them.
enum TestEngine: String, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }

    static var all: [TestEngine] {
        let env = ProcessInfo.processInfo.environment
        if env["STARCON_TEST_POSTGRES_URL"] != nil || env["STARCON_REQUIRE_POSTGRES"] == "1" { return [.sqlite, .postgres] }
        return [.sqlite]
    }
}

enum TestStore {
    /// An active member named `name` (display name capitalised), for the store suites.
    static func member(_ core: Core, _ name: String) async throws -> Account {
        try await core.accounts.create(.init(username: name, displayName: name.capitalized, password: "correct horse battery"))
    }

    static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()

    /// A fresh, migrated store for one test: a new SQLite file, or a new PostgreSQL database.
    static func withCore<T: Sendable>(
        _ engine: TestEngine, clock: Clock = .system, _ body: (Core, DatabaseLocation) async throws -> T
    ) async throws -> T {
        let location = try await makeLocation(engine)
        // A media directory of its own: files are removed when no row of this store names them.
        let media = FileManager.default.temporaryDirectory.appendingPathComponent("starcon-test-media-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: media) }
        let core = try await Core.open(location, logger: logger, clock: clock, mediaDirectory: media)
        do {
            let result = try await body(core, location)
            await core.close()
            try await drop(location)
            return result
        } catch {
            await core.close()
            try? await drop(location)
            throw error
        }
    }

    static func makeLocation(_ engine: TestEngine) async throws -> DatabaseLocation {
        switch engine {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("starcon-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return .sqlite(path: directory.appendingPathComponent("starcon.sqlite").path)
        case .postgres:
            guard let admin = ProcessInfo.processInfo.environment["STARCON_TEST_POSTGRES_URL"] else {
                throw ConfigurationError("STARCON_TEST_POSTGRES_URL is not set but PostgreSQL tests are required")
            }
            let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
            try await withAdmin(admin) { db in try await db.raw("CREATE DATABASE \(unsafeRaw: String(name))").run() }
            var components = URLComponents(string: admin)!
            components.path = "/\(name)"
            return .postgres(url: components.string!)
        }
    }

    static func drop(_ location: DatabaseLocation) async throws {
        switch location {
        case .sqlite(let path):
            try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
        case .postgres(let url):
            guard let admin = ProcessInfo.processInfo.environment["STARCON_TEST_POSTGRES_URL"],
                  let name = URLComponents(string: url)?.path.dropFirst() else { return }
            try await withAdmin(admin) { db in try await db.raw("DROP DATABASE IF EXISTS \(unsafeRaw: String(name)) WITH (FORCE)").run() }
        }
    }

    private static func withAdmin(_ url: String, _ body: @Sendable (any SQLDatabase) async throws -> Void) async throws {
        let database = try await PostgresDatabase.open(url: url, logger: logger)
        do {
            try await database.read { db in try await body(db) }
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }
}
