import NIOSSL

/// The certificate and key every listener's STARTTLS uses (`--tls-cert`, `--tls-key`: PEM files), loaded
/// once at start so a bad file is a one-line error before anything listens.
public struct ServerTLS: Sendable {
    public let context: NIOSSLContext

    public init(certificatePath: String, keyPath: String) throws {
        let chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        guard !chain.isEmpty else { throw ServerTLSError("no certificate in \(certificatePath)") }
        let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        context = try NIOSSLContext(configuration: configuration)
    }

    /// A handler to put first in a connection's pipeline when the client says STARTTLS.
    public func makeHandler() -> NIOSSLServerHandler { NIOSSLServerHandler(context: context) }
}

public struct ServerTLSError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
