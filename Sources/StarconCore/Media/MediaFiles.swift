import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// The photo files under the media directory: `<directory>/<first two hex digits>/<digest>-<version>.<ext>`.
/// Files are content-addressed, so two `media` rows (the same bytes uploaded twice) may share them: a
/// digest's files are removed only once no row names the digest, after the transaction that deleted the
/// last row has committed. Writing a digest's files and inserting its row, and checking for rows and
/// removing the files, hold a lock on the digest, so a removal never takes files an upload is about to name.
public final class MediaFiles: Sendable {
    public let directory: String
    let database: any Database
    private let locks = NIOLockedValueBox([String: (lock: AsyncLock, users: Int)]())

    init(directory: String, database: any Database) {
        self.directory = directory
        self.database = database
    }

    /// `<directory>/<first two hex digits of the digest>`.
    func subdirectory(for digest: String) -> String {
        (directory as NSString).appendingPathComponent(String(digest.prefix(2)))
    }

    /// The bytes of one file, or nil.
    func contents(of name: String) -> Data? {
        FileManager.default.contents(atPath: subdirectory(for: name) + "/" + name)
    }

    /// Runs `body` (writing the files, then inserting the row that names them) holding the digest's lock.
    func withLock<T: Sendable>(_ digest: String, _ body: () async throws -> T) async throws -> T {
        let lock = locks.withLockedValue { locks -> AsyncLock in
            let entry = locks[digest] ?? (AsyncLock(), 0)
            locks[digest] = (entry.lock, entry.users + 1)
            return entry.lock
        }
        defer {
            locks.withLockedValue { locks in
                if let entry = locks[digest] { locks[digest] = entry.users > 1 ? (entry.lock, entry.users - 1) : nil }
            }
        }
        return try await lock.withLock(body)
    }

    /// Removes the files of every digest no `media` row names any more; how many files went. Called after
    /// the transaction that deleted rows commits; a failure here leaves files that
    /// `MediaService.sweepOrphans` removes later.
    @discardableResult
    func release(_ digests: some Sequence<String>) async -> Int {
        var removed = 0
        for digest in Set(digests) {
            removed += (try? await withLock(digest) {
                let named = try await database.read { db in
                    try await db.raw("SELECT 1 AS x FROM media WHERE digest = \(bind: digest) LIMIT 1").first() != nil
                }
                return named ? 0 : try await Self.offloaded { [self] in try remove(digest) }
            }) ?? 0
        }
        return removed
    }

    /// Deletes every version of a digest (whatever their extensions), then syncs the directory.
    private func remove(_ digest: String) throws -> Int {
        let folder = subdirectory(for: digest)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(digest + "-") && !name.contains(".tmp-") {
            if unlink(folder + "/" + name) == 0 { removed += 1 } else if errno != ENOENT { throw Self.posixError() }
        }
        if removed > 0 { try Self.syncDirectory(folder) }
        return removed
    }

    // MARK: The sweep

    /// Removes files no `media` row names (left by a removal that failed or a crash between the commit and
    /// the unlink, or by deletions from before files were removed with their rows) and temporary files of
    /// uploads that never finished. Files modified within `gracePeriod` seconds are left alone: another
    /// process (a command-line tool) may be between writing its files and inserting their row.
    func sweep(gracePeriod: TimeInterval) async throws -> Int {
        let cutoff = Date().addingTimeInterval(-gracePeriod)
        let manager = FileManager.default
        var candidates = Set<String>() // digests with files older than the grace period
        var removed = 0
        for folder in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] where folder.count == 2 {
            let path = (directory as NSString).appendingPathComponent(folder)
            for name in (try? manager.contentsOfDirectory(atPath: path)) ?? [] {
                let file = path + "/" + name
                guard let modified = (try? manager.attributesOfItem(atPath: file))?[.modificationDate] as? Date, modified <= cutoff else { continue }
                if name.contains(".tmp-") {
                    if unlink(file) == 0 { removed += 1 }
                } else if let digest = name.split(separator: "-", maxSplits: 1).first, digest.count == 64 {
                    candidates.insert(String(digest))
                }
            }
        }
        let digests = Array(candidates)
        var named = Set<String>()
        for start in stride(from: 0, to: digests.count, by: 500) {
            let batch = digests[start..<min(start + 500, digests.count)]
            let found = try await database.read { db in
                try await db.raw("SELECT DISTINCT digest FROM media WHERE digest IN (\(SQLList(batch.map { SQLBind($0) })))").all()
                    .map { try $0.decode(column: "digest", as: String.self) }
            }
            named.formUnion(found)
        }
        return removed + (await release(digests.filter { !named.contains($0) }))
    }

    // MARK: Durable writes

    /// Writes a digest's files once each: every new one to a temporary name, synced, renamed into place, then
    /// their directory synced once for all the renames (and the media directory too when the subdirectory is
    /// new), so that a file a row points to survives a crash.
    func writeDurably(_ files: [(name: String, data: Data)], digest: String) async throws {
        try await Self.offloaded { [self] in
            let manager = FileManager.default
            let folder = subdirectory(for: digest)
            try Self.ensureDirectory(folder)
            for file in files {
                let target = folder + "/" + file.name
                if manager.fileExists(atPath: target) { continue }
                let temporary = target + ".tmp-\(UUID().uuidString)"
                do {
                    try Self.writeSynced(file.data, to: temporary)
                    guard rename(temporary, target) == 0 else { throw Self.posixError() }
                } catch {
                    try? manager.removeItem(atPath: temporary)
                    throw error
                }
            }
            // Also when every file was there already: another upload of the same bytes may have renamed them
            // and not yet synced the directory.
            try Self.syncDirectory(folder)
        }
    }

    /// Creates a directory (and its missing parents), each new one made durable by syncing its parent.
    private static func ensureDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try ensureDirectory(parent) }
        if mkdir(path, 0o755) != 0, errno != EEXIST { throw posixError() }
        try syncDirectory(parent.isEmpty ? "." : parent)
    }

    private static func writeSynced(_ data: Data, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw posixError() }
        defer { close(descriptor) }
        try data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw posixError()
                }
                offset += written
            }
        }
        guard fsync(descriptor) == 0 else { throw posixError() }
    }

    private static func syncDirectory(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw posixError() }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw posixError() }
    }

    private static func posixError() -> Error { POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }

    /// Blocking file work (writes, fsyncs, unlinks) on a queue of its own, not on Swift's few cooperative threads.
    private static func offloaded<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            fileQueue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    private static let fileQueue = DispatchQueue(label: "starcon.media-files", attributes: .concurrent)
}
