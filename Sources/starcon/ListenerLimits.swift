import Foundation
import NIOCore
import StarconCore
import StarconWeb

/// Connection caps and timeouts shared by every listener, from the environment.
struct ListenerLimits {
    let connections: ConnectionGate
    let http: HTTPTimeouts

    static func fromEnvironment(descriptorLimit: Int) throws(ConfigurationError) -> ListenerLimits {
        let total = try positive("MAX_CONNECTIONS") ?? ConnectionGate.Limits.defaultTotal(descriptorLimit: descriptorLimit)
        let perAddress = try positive("MAX_CONNECTIONS_PER_ADDRESS") ?? ConnectionGate.Limits.defaultPerAddress
        let request = try positive("HTTP_REQUEST_TIMEOUT") ?? HTTPTimeouts.defaultRequestSeconds
        let idle = try positive("HTTP_IDLE_TIMEOUT") ?? HTTPTimeouts.defaultIdleSeconds
        return ListenerLimits(
            connections: ConnectionGate(limits: .init(total: total, perAddress: perAddress)),
            http: HTTPTimeouts(request: .seconds(Int64(request)), idle: .seconds(Int64(idle))))
    }

    private static func positive(_ name: String) throws(ConfigurationError) -> Int? {
        guard let value = try Environment.int(name, flag: "STARCON_" + name) else { return nil }
        guard value > 0 else { throw ConfigurationError("STARCON_\(name)=\(value) must be at least 1") }
        return value
    }
}

enum DescriptorLimit {
    /// Raises the soft limit on open files to the hard limit (systems often start services at 1,024 while
    /// allowing far more) and returns the limit in force.
    static func raise() -> Int {
        #if os(Linux)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)  // RLIM_INFINITY is the largest value: no limit
    }
}
