import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit

/// SQLite in WAL mode: one writer connection guarded by an async lock, a few reader connections.
///
/// sqlite-nio runs every libsqlite3 call on a `NIOThreadPool`, so no SQLite work touches an event loop.
public final class SQLiteDatabase: Database {
    public let engine = DatabaseEngine.sqlite
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let nextReader = NIOLockedValueBox(0)
    private let writeLock = AsyncLock()
    private let threadPool: NIOThreadPool

    /// How long a connection waits for another process's lock (a CLI command beside a running server).
    static let busyTimeoutMilliseconds = 10_000
    static let readerCount = 4

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], threadPool: NIOThreadPool) {
        self.writer = writer
        self.readers = readers
        self.threadPool = threadPool
    }

    public static func open(path: String, logger: Logger) async throws -> SQLiteDatabase {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try DataDirectory.prepare(directory)
        }
        let threadPool = NIOThreadPool(numberOfThreads: readerCount + 1)
        threadPool.start()
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)
        do {
            let writer = try await openConnection(path: path, threadPool: threadPool, logger: quiet)
            let mode = try await writer.sql().raw("PRAGMA journal_mode=WAL").first()?.decode(column: "journal_mode", as: String.self)
            guard mode == "wal" else { throw ConfigurationError("SQLite file \(path) could not be switched to WAL mode") }
            var readers: [SQLiteConnection] = []
            for _ in 0..<readerCount {
                readers.append(try await openConnection(path: path, threadPool: threadPool, logger: quiet))
            }
            return SQLiteDatabase(writer: writer, readers: readers, threadPool: threadPool)
        } catch let error as ConfigurationError {
            try? await threadPool.shutdownGracefully()
            throw error
        } catch {
            try? await threadPool.shutdownGracefully()
            throw ConfigurationError("cannot open SQLite database \(path): \(error)")
        }
    }

    private static func openConnection(path: String, threadPool: NIOThreadPool, logger: Logger) async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: threadPool, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any())
        let db = connection.sql()
        try await db.raw("PRAGMA busy_timeout=\(unsafeRaw: String(busyTimeoutMilliseconds))").run()
        try await db.raw("PRAGMA foreign_keys=ON").run()
        try await db.raw("PRAGMA synchronous=NORMAL").run()
        // Read through the page cache and a memory map rather than a read() per page (OVER reads many).
        try await db.raw("PRAGMA mmap_size=268435456").run()
        try await db.raw("PRAGMA cache_size=-32768").run()
        return connection
    }

    public var openConnections: Int { readers.count + 1 }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let index = nextReader.withLockedValue { value in
            value = (value + 1) % readers.count
            return value
        }
        return try await body(readers[index].sql())
    }

    public func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await writeLock.withLock {
            // IMMEDIATE takes the write lock now, so two processes never deadlock upgrading a read lock.
            try await writer.sql().transaction(begin: "BEGIN IMMEDIATE", body)
        }
    }

    public func close() async {
        for connection in readers + [writer] {
            try? await connection.close()
        }
        try? await threadPool.shutdownGracefully()
    }
}
