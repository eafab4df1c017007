import Foundation
import Logging
import NIOConcurrencyHelpers
import SQLKit
import StarconSQLite

/// SQLite in WAL mode: one writer connection guarded by an async lock, a few reader connections, each
/// connection on its own thread (`SQLiteThread`), so no SQLite work touches an event loop.
///
/// A read or write body runs with its connection's thread as the task executor: its statements execute
/// inline on that thread, with no thread hop per statement.
///
/// Checkpoints (copying the WAL back into the database file, with an fsync) run once a second in two steps
/// instead of inside whichever COMMIT crosses SQLite's automatic threshold (that write then waited for a
/// 4 MB copy and two fsyncs): a connection of their own copies the bulk without holding anything up; then,
/// holding the write lock briefly, the writer copies the few frames committed meanwhile, so the checkpoint
/// is complete and the next write starts the WAL file over. Without that second step a busy writer never
/// lets a checkpoint catch up and the WAL grows without bound.
public final class SQLiteDatabase: Database {
    public let engine = DatabaseEngine.sqlite
    private let writer: SQLiteSession
    private let readers: [SQLiteSession]
    private let checkpointer: SQLiteSession
    private let checkpoints: Task<Void, Never>
    private let readerLoad: ReaderLoad
    private let writeLock: AsyncLock
    private let groupCommit = SQLiteGroupCommit()
    private let path: String

    /// How long a connection waits for another process's lock (a CLI command beside a running server).
    static let busyTimeoutMilliseconds = 10_000
    static let readerCount = 4
    static let checkpointInterval: Duration = .seconds(1)

    private init(path: String, writer: SQLiteSession, readers: [SQLiteSession], checkpointer: SQLiteSession) {
        self.path = path
        self.writer = writer
        self.readers = readers
        self.checkpointer = checkpointer
        readerLoad = ReaderLoad(readers: readers.count)
        let writeLock = AsyncLock()
        self.writeLock = writeLock
        checkpoints = Task {
            while !Task.isCancelled {
                do { try await Task.sleep(for: Self.checkpointInterval) } catch { break }
                _ = try? await checkpointer.raw("PRAGMA wal_checkpoint(PASSIVE)").all()
                _ = try? await writeLock.withLock {
                    try await writer.raw("PRAGMA wal_checkpoint(PASSIVE)").all()
                }
            }
        }
    }

    public static func open(path: String, logger: Logger) async throws -> SQLiteDatabase {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try DataDirectory.prepare(directory)
        }
        var opened: [SQLiteSession] = []
        do {
            let writer = try await openSession(path: path, name: "sqlite-writer", logger: logger)
            opened.append(writer)
            let mode = try await writer.raw("PRAGMA journal_mode=WAL").first()?.decode(column: "journal_mode", as: String.self)
            guard mode == "wal" else { throw ConfigurationError("SQLite file \(path) could not be switched to WAL mode") }
            try await writer.raw("PRAGMA wal_autocheckpoint=0").run()
            // When the WAL starts over, cut its file back to this size (a burst may have grown it).
            try await writer.raw("PRAGMA journal_size_limit=67108864").run()
            for number in 0..<readerCount {
                opened.append(try await openSession(path: path, name: "sqlite-reader-\(number)", logger: logger))
            }
            let checkpointer = try await openSession(path: path, name: "sqlite-checkpoint", logger: logger)
            opened.append(checkpointer)
            return SQLiteDatabase(path: path, writer: writer, readers: Array(opened.dropFirst().dropLast()), checkpointer: checkpointer)
        } catch let error as ConfigurationError {
            await close(opened)
            throw error
        } catch {
            await close(opened)
            throw ConfigurationError("cannot open SQLite database \(path): \(error)")
        }
    }

    private static func openSession(path: String, name: String, logger: Logger) async throws -> SQLiteSession {
        let thread = SQLiteThread(name: name)
        let handle: SQLiteHandle
        do {
            handle = try await thread.run { try SQLiteHandle(path: path) }
        } catch {
            thread.stop()
            throw error
        }
        let session = SQLiteSession(handle: handle, thread: thread, logger: logger)
        try await session.raw("PRAGMA busy_timeout=\(unsafeRaw: String(busyTimeoutMilliseconds))").run()
        try await session.raw("PRAGMA foreign_keys=ON").run()
        try await session.raw("PRAGMA synchronous=NORMAL").run()
        // Read through the page cache and a memory map rather than a read() per page (OVER reads many).
        try await session.raw("PRAGMA mmap_size=268435456").run()
        try await session.raw("PRAGMA cache_size=-32768").run()
        return session
    }

    public var openConnections: Int { readers.count + 2 }

    public func watchForeignCommits(_ changed: @escaping @Sendable () -> Void) async {
        await SQLiteCommitWatcher.watch(databasePath: path, changed)
    }

    /// A read goes to the reader with the fewest reads in progress. Each reader's thread runs its jobs in
    /// order, so handing reads out in turn put a one-row read (NNTP GROUP) behind whatever long scans that
    /// reader already held (OVER over 1,000 rows) while other readers sat idle.
    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let index = readerLoad.acquire()
        defer { readerLoad.release(index) }
        let reader = readers[index]
        return try await withTaskExecutorPreference(reader.thread) {
            try await body(reader)
        }
    }

    /// Concurrent writes share transactions (`SQLiteGroupCommit`): under load, one COMMIT for many.
    public func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let writer = writer, writeLock = writeLock
        // The body is only used until this call returns (its result comes after its COMMIT).
        return try await withoutActuallyEscaping(body) { body in
            try await groupCommit.write(body) { batch in
                try await writeLock.withLock {
                    try await withTaskExecutorPreference(writer.thread) {
                        // IMMEDIATE takes the write lock now, so two processes never deadlock upgrading a read lock.
                        try await writer.transaction(begin: "BEGIN IMMEDIATE", batch)
                    }
                }
            }
        }
    }

    public func close() async {
        checkpoints.cancel()
        await checkpoints.value
        _ = try? await checkpointer.raw("PRAGMA wal_checkpoint(PASSIVE)").all()
        await Self.close(readers + [writer, checkpointer])
    }

    private static func close(_ sessions: [SQLiteSession]) async {
        for session in sessions {
            let handle = session.handle
            try? await session.thread.run { handle.close() }
            session.thread.stop()
        }
    }
}
