// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "starcon",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "starcon", targets: ["starcon"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/JohnSundell/Ink.git", from: "0.6.0"),
    ],
    targets: [
        // libvips from Debian (libvips-dev), found with pkg-config, behind a small non-variadic C face.
        .systemLibrary(name: "CLibVips", pkgConfig: "vips", providers: [.apt(["libvips-dev"])]),
        .target(name: "CVips", dependencies: ["CLibVips"]),
        // libsqlite3 from Debian (libsqlite3-dev: WAL, FTS5 with the trigram tokenizer, RETURNING), through a
        // Swift driver of its own (StarconSQLite) so no other module ever sees the C header.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "StarconSQLite", dependencies: ["CSQLite"]),
        .target(name: "StarconMedia", dependencies: ["CVips", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "StarconCore",
            dependencies: [
                "StarconMedia",
                "StarconMIME",
                "StarconIMAP",
                "StarconSQLite",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Ink", package: "Ink"),
            ]
        ),
        .target(
            name: "StarconWeb",
            dependencies: [
                "StarconCore",
                "StarconMIME",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ],
            resources: [
                .copy("Templates"),
                .copy("Locales"),
                .copy("Assets"),
            ]
        ),
        .target(
            name: "StarconNews",
            dependencies: [
                "StarconCore",
                "StarconMIME",
                "StarconTLS",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // RFC 5322 / 2045-2049 messages: parsing, decoding and writing; pure, no I/O (NNTP, mail and uploads use it).
        .target(name: "StarconMIME"),
        // SMTP: pure grammar and session state machine, no I/O.
        .target(name: "StarconMail"),
        // IMAP4rev1 grammar: command framer and parser, response encoder; pure, no I/O (as swift-nio-imap).
        .target(name: "StarconIMAP", dependencies: ["StarconMIME"]),
        // MX lookups through libresolv's res_query (glibc; no Swift DNS library is in the package set).
        .target(name: "CResolver", linkerSettings: [.linkedLibrary("resolv")]),
        // What the line-protocol listeners (SMTP, NNTP, IMAP) share for STARTTLS: the certificate and a framer that
        // drops what a client sends in the clear after STARTTLS.
        .target(
            name: "StarconTLS",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ]
        ),
        // The SMTP and IMAP listeners (SwiftNIO, STARTTLS with swift-nio-ssl) and their adapters to the core.
        .target(
            name: "StarconMailServer",
            dependencies: [
                "StarconCore", "StarconMail", "StarconIMAP", "StarconMIME", "StarconTLS", "CResolver",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "starcon",
            dependencies: [
                "StarconCore",
                "StarconWeb",
                "StarconNews",
                "StarconMailServer",
                "StarconTLS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "StarconCoreTests", dependencies: ["StarconCore", "StarconMIME", "StarconSQLite", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "StarconMailTests", dependencies: ["StarconMail", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]),
        .testTarget(name: "StarconIMAPTests", dependencies: ["StarconIMAP"]),
        .testTarget(name: "StarconMailServerTests", dependencies: [
            "StarconMailServer", "StarconTLS",
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOTLS", package: "swift-nio"),
        ]),
        // The IMAP session state machine against a real store, without sockets.
        .testTarget(name: "StarconIMAPSessionTests", dependencies: ["StarconMailServer", "StarconCore", "StarconIMAP", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]),
        .testTarget(name: "StarconMIMETests", dependencies: ["StarconMIME"]),
        .testTarget(name: "StarconMediaTests", dependencies: ["StarconMedia"], resources: [.copy("Fixtures")]),
        // Mutation fuzzing of the parsers that read what strangers send, for a bounded time (STARCON_FUZZ_SECONDS).
        .testTarget(name: "StarconFuzzTests", dependencies: ["StarconNews", "StarconWeb", "StarconMedia", "StarconCore", "StarconIMAP", "StarconMIME"],
                    path: "Tests/Fuzz", exclude: ["corpus"]),
        .testTarget(
            name: "StarconNewsTests",
            dependencies: [
                "StarconNews",
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "starconTests",
            dependencies: [
                "starcon",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "StarconWebTests",
            dependencies: [
                "StarconWeb",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
