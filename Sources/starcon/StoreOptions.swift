import ArgumentParser
import Foundation
import Logging
import StarconCore

/// Reads `STARCON_<NAME>` for options not given on the command line.
enum Environment {
    static func value(_ name: String) -> String? {
        let value = ProcessInfo.processInfo.environment["STARCON_" + name]
        return value?.isEmpty == false ? value : nil
    }

    static func int(_ name: String, flag: String) throws(ConfigurationError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text) else { throw ConfigurationError("STARCON_\(name)=\(text) is not a number (for \(flag))") }
        return number
    }
}

/// `--data` and `--database`, shared by every subcommand.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Directory for the SQLite file and media (env STARCON_DATA).")
    var data: String?

    @Option(name: .long, help: "sqlite:PATH or postgres://user:pass@host:port/db (env STARCON_DATABASE). Default: SQLite in --data.")
    var database: String?

    var dataDirectory: String { data ?? Environment.value("DATA") ?? "./starcon-data" }

    func location() throws(ConfigurationError) -> DatabaseLocation {
        try DatabaseLocation.parse(database ?? Environment.value("DATABASE"), dataDirectory: dataDirectory)
    }

    /// Checks the data directory, opens the store and migrates it. `deliver`: whether this process has
    /// subscribers to hand events to (a server does; a command does not).
    func openCore(logger: Logger, domain: String? = nil, deliver: Bool = false) async throws -> Core {
        let location = try location()
        try DataDirectory.prepare(dataDirectory)
        return try await Core.open(location, logger: logger, domain: domain,
                                   mediaDirectory: (dataDirectory as NSString).appendingPathComponent("media"), deliver: deliver)
    }

    /// Runs `body` with an open store and always closes it, also when `body` throws.
    func withCore<T>(_ body: (Core) async throws -> T) async throws -> T {
        let core = try await openCore(logger: Logs.quiet())
        do {
            let result = try await body(core)
            await core.close()
            return result
        } catch {
            await core.close()
            throw error
        }
    }
}

enum Logs {
    /// One line per event on standard error; level from STARCON_LOG_LEVEL (default info).
    static func bootstrap() -> Logger {
        let level = Environment.value("LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "starcon")
        logger.logLevel = level
        return logger
    }

    /// Commands other than `serve` log only warnings, so their output stays readable.
    static func quiet() -> Logger { quietLogger }

    /// Bootstrapped once, on first use (swift-log allows one bootstrap per process).
    private static let quietLogger: Logger = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        return Logger(label: "starcon")
    }()
}

enum CommandMessages {
    static let texts: [String: String] = [
        "username_length": "the username must be 1 to 30 characters long",
        "username_characters": "the username may contain only letters, digits and underscore",
        "username_taken": "this username is already taken",
        "password_short": "the password must be at least 10 characters long",
        "password_long": "the password is too long (at most 72 bytes)",
        "display_name_empty": "the display name is empty",
        "display_name_length": "the display name may be at most 60 characters long",
        "invite_uses": "--uses must be between 1 and 1000",
        "invite_days": "--expires must be between 1 and 365 days",
        "reason_required": "--reason must not be empty",
        "not_found": "no such account",
        "not_a_member": "this account is not an active member",
        "group_name": "a group name is dot-separated lowercase letters, digits, +, - and _ (e.g. campus.sports)",
        "group_exists": "this newsgroup already exists",
        "group_description": "the description may be at most 200 characters long",
        "announcement_no_author": "no admin to announce as: create one (starcon user add NAME --role admin) or name one with --as",
        "announcement_language": "a language is one of en, ko, ru, zh, ja",
        "announcement_too_long": "an announcement's text may be at most 2000 characters long",
        "announcement_empty": "the announcement's text is empty",
        "announcement_expiry": "--expires must be between 1 and 8784 hours",
        "demo_not_empty": "this instance already has posts; the demo network only fills an empty one",
    ]

    static func describe(_ error: CoreError) -> String { texts[error.key] ?? error.key.replacingOccurrences(of: "_", with: " ") }
}
