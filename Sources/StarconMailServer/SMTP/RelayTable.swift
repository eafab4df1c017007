/// Where mail for another domain goes: `--relay DOMAIN=HOST:PORT` (repeatable; `*` for every domain without
/// its own), since a closed network may have no DNS. A domain with no relay goes to its MX hosts on port 25,
/// or with none to the domain's own address (RFC 5321 §5.1's implicit MX): `OutboundDelivery` looks them up.
public struct RelayTable: Sendable, Equatable {
    public struct Host: Sendable, Equatable {
        public let host: String
        public let port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    public private(set) var relays: [String: Host] = [:]

    public init() {}

    /// Parses `DOMAIN=HOST:PORT` entries; throws a message naming the bad one.
    public init(parsing entries: [String]) throws(RelayTableError) {
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let colon = parts[1].lastIndex(of: ":"),
                  let port = Int(parts[1][parts[1].index(after: colon)...]), (1...65535).contains(port) else {
                throw RelayTableError("--relay \(entry): expected DOMAIN=HOST:PORT")
            }
            var host = String(parts[1][..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { throw RelayTableError("--relay \(entry): expected DOMAIN=HOST:PORT") }
            relays[parts[0].lowercased()] = Host(host: host, port: port)
        }
    }

    /// The relay configured for `domain`, else `*`'s; nil when mail for it goes by DNS.
    public func relay(for domain: String) -> Host? {
        relays[domain.lowercased()] ?? relays["*"]
    }
}

public struct RelayTableError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
