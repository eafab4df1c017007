import Foundation
import NIOCore

/// The reverse proxies whose `X-Forwarded-For` is believed (`--trusted-proxies`, STARCON_TRUSTED_PROXIES).
///
/// Behind a proxy every request comes from the proxy's address, so the login throttle would count all
/// members as one. Only when the peer is a trusted proxy is the header read, from the right: each trusted
/// hop's entry names the one before it, and the right-most address that is not a trusted proxy is the
/// client. Anything left of it was written by the client and is ignored, so a client cannot choose its
/// address by sending the header itself.
public struct TrustedProxies: Sendable, Equatable {
    public let addresses: Set<String>

    /// Addresses as IPv4 or IPv6 text; nil when one is not an IP address.
    public init?(_ list: [String]) {
        var addresses = Set<String>()
        for entry in list {
            guard let address = Self.normalized(entry) else { return nil }
            addresses.insert(address)
        }
        self.addresses = addresses
    }

    /// Parses a comma- or space-separated list.
    public init?(parsing text: String) {
        self.init(text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init))
    }

    /// The client's address for a request from `peer` carrying these `X-Forwarded-For` values (in order).
    func clientAddress(peer: String, forwardedFor: [String]) -> String {
        var address = Self.normalized(peer) ?? peer
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }
        for hop in hops.reversed() {
            // A garbled entry ends the walk at the last proxy we trust.
            guard addresses.contains(address), let previous = Self.normalized(String(hop)) else { break }
            address = previous
        }
        return address
    }

    /// One spelling per address ("::1" for "0:0::1"), so lists and peers compare as text.
    static func normalized(_ text: String) -> String? {
        var text = Substring(text.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        return (try? SocketAddress(ipAddress: String(text), port: 0))?.ipAddress
    }
}
