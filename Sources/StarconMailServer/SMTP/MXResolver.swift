import CResolver
import NIOPosix

/// A domain's mail exchangers by DNS (RFC 5321 §5.1), for domains with no `--relay`: MX hosts in order of
/// preference; none (the lookup failed, or the domain has no MX) means the domain's own address. The lookup
/// blocks, so it runs on NIO's thread pool.
enum MXResolver {
    struct Exchanger: Equatable, Sendable {
        let preference: Int
        let host: String
    }

    static func lookup(_ domain: String) async -> [Exchanger] {
        (try? await NIOThreadPool.singleton.runIfActive { lookupBlocking(domain) }) ?? []
    }

    static func lookupBlocking(_ domain: String) -> [Exchanger] {
        var buffer = [CChar](repeating: 0, count: 8_192)
        let count = starcon_mx_lookup(domain, &buffer, buffer.count)
        guard count > 0 else { return [] }
        return parse(String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// `PREFERENCE HOST` lines, lowest preference first; the null MX (RFC 7505: `0 .`) means none.
    static func parse(_ text: String) -> [Exchanger] {
        let exchangers = text.split(separator: "\n").compactMap { line -> Exchanger? in
            let parts = line.split(separator: " ")
            guard parts.count == 2, let preference = Int(parts[0]), !parts[1].isEmpty, parts[1] != "." else { return nil }
            return Exchanger(preference: preference, host: String(parts[1]))
        }
        return exchangers.sorted { ($0.preference, $0.host) < ($1.preference, $1.host) }
    }
}
