import Foundation

/// Where the store lives, parsed from `--database` (`sqlite:PATH` or `postgres://user:pass@host:port/db`).
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    /// Parses a database URL; `nil` means "use the default SQLite file in the data directory".
    public static func parse(_ text: String?, dataDirectory: String) throws(ConfigurationError) -> DatabaseLocation {
        guard let text, !text.isEmpty else {
            return .sqlite(path: (dataDirectory as NSString).appendingPathComponent("starcon.sqlite"))
        }
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw ConfigurationError("--database sqlite: needs a file path, as in sqlite:/var/lib/starcon/starcon.sqlite") }
            return .sqlite(path: path)
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard let components = URLComponents(string: text), components.host?.isEmpty == false else {
                throw ConfigurationError("--database \(DatabaseLocation.redacted(text)) is not a valid PostgreSQL URL (postgres://user:pass@host:port/db)")
            }
            return .postgres(url: text)
        }
        let scheme = text.split(separator: ":").first.map(String.init) ?? text
        throw ConfigurationError("unknown database scheme '\(scheme)': use sqlite:PATH or postgres://user:pass@host:port/db")
    }

    /// The URL with its password replaced, for messages and logs.
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }

    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let url): DatabaseLocation.redacted(url)
        }
    }
}

/// A problem with the command line or the environment it names; the executable exits 2 with `message`.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
