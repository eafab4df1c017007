import Crypto
import Foundation
import SQLKit
import StarconMedia

/// Uploading photos and reading their files. The pixel work is StarconMedia's; this keeps the rules (who
/// may change or attach a photo), the records, and the files, written once and durably.
public struct MediaService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    /// Where the files live: `<directory>/<first two hex digits>/<digest>-<version>.<ext>`.
    public let directory: String
    let pipeline = ImagePipeline()

    public func upload(owner: Account, data: Data, description: String = "") async throws -> MediaAttachment {
        try AccountService.ensureMayAct(owner, now: clock.nowMilliseconds())
        let description = try Self.cleanDescription(description)
        let processed: ImagePipeline.Processed
        do {
            processed = try await pipeline.process(data)
        } catch {
            switch error {
            case .empty, .notAnImage: throw CoreError.invalid("media_type", field: "file")
            case .tooLarge: throw CoreError.invalid("media_size", field: "file")
            case .tooManyPixels: throw CoreError.invalid("media_pixels", field: "file")
            case .unreadable: throw CoreError.invalid("media_unreadable", field: "file")
            }
        }
        let digest = Secrets.hex(SHA256.hash(data: data))
        let files = [("original", processed.original), ("large", processed.large), ("small", processed.small)].map { name, rendition in
            (name: "\(digest)-\(name).\(rendition.fileExtension)", data: rendition.data)
        }
        // On disk before the row that names them commits.
        try await Self.offloaded { [self] in try writeDurably(files, directory: path(for: digest)) }
        let id = ids.next()
        let now = clock.nowMilliseconds()
        try await database.write { db in
            try await db.raw("""
                INSERT INTO media (id, account_id, digest, description, blurhash, original_ext, original_width, original_height,
                    large_ext, large_width, large_height, small_ext, small_width, small_height, created_at)
                VALUES (\(bind: id), \(bind: owner.id), \(bind: digest), \(bind: description), \(bind: processed.blurhash),
                    \(bind: processed.original.fileExtension), \(bind: processed.original.width), \(bind: processed.original.height),
                    \(bind: processed.large.fileExtension), \(bind: processed.large.width), \(bind: processed.large.height),
                    \(bind: processed.small.fileExtension), \(bind: processed.small.width), \(bind: processed.small.height), \(bind: now))
                """).run()
        }
        return try await get(id, owner: owner)
    }

    /// One's own upload (attached or not).
    public func get(_ id: Int64, owner: Account) async throws -> MediaAttachment {
        let found = try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: MediaRow.columns) FROM media m WHERE m.id = \(bind: id) AND m.account_id = \(bind: owner.id)")
                .first().map(MediaRow.decode)
        }
        guard let found else { throw CoreError.notFound }
        return found
    }

    public func describe(_ id: Int64, owner: Account, description: String) async throws -> MediaAttachment {
        let description = try Self.cleanDescription(description)
        _ = try await get(id, owner: owner)
        try await database.write { db in
            try await db.raw("UPDATE media SET description = \(bind: description) WHERE id = \(bind: id) AND account_id = \(bind: owner.id)").run()
        }
        return try await get(id, owner: owner)
    }

    /// The bytes of a file named like `MediaAttachment.Version.file`, or nil.
    public func file(named name: String) -> Data? {
        guard Self.isFileName(name) else { return nil }
        return FileManager.default.contents(atPath: path(for: name) + "/" + name)
    }

    static func isFileName(_ name: String) -> Bool {
        let parts = name.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 64, parts[0].allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return false }
        return ["original.jpg", "original.png", "large.jpg", "large.png", "small.jpg", "small.png"].contains(String(parts[1]))
    }

    static func cleanDescription(_ text: String) throws -> String {
        let text = AccountRules.stripControls(text, keepNewlines: true).trimmingWhitespace()
        guard text.count <= MediaAttachment.maxDescription else { throw CoreError.invalid("media_description", field: "description") }
        return text
    }

    /// `<directory>/<first two hex digits of the file's name>`.
    private func path(for file: String) -> String {
        (directory as NSString).appendingPathComponent(String(file.prefix(2)))
    }

    /// Writes a digest's files once each: every new one to a temporary name, synced, renamed into place, then
    /// their directory synced once for all the renames (and the media directory too when the subdirectory is
    /// new), so that a file a row points to survives a crash.
    private func writeDurably(_ files: [(name: String, data: Data)], directory subdirectory: String) throws {
        let manager = FileManager.default
        try Self.ensureDirectory(subdirectory)
        for file in files {
            let target = subdirectory + "/" + file.name
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
        try Self.syncDirectory(subdirectory)
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

    /// Blocking file work (writes and fsyncs) on a queue of its own, not on Swift's few cooperative threads.
    private static func offloaded<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            fileQueue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    private static let fileQueue = DispatchQueue(label: "starcon.media-files", attributes: .concurrent)
}
