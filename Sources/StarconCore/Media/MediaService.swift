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
        try FeedService.ensureActive(owner)
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
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        let versions = [("original", processed.original), ("large", processed.large), ("small", processed.small)]
        for (name, rendition) in versions {
            try write(rendition.data, to: path(for: "\(digest)-\(name).\(rendition.fileExtension)"))
        }
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
        return FileManager.default.contents(atPath: path(for: name))
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

    private func path(for file: String) -> String {
        (directory as NSString).appendingPathComponent(String(file.prefix(2))) + "/" + file
    }

    /// Writes a file once: to a temporary name, synced to disk, then renamed into place.
    private func write(_ data: Data, to path: String) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: path) { return }
        try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let temporary = path + ".tmp-\(UUID().uuidString)"
        guard manager.createFile(atPath: temporary, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            _ = rename(temporary, path)
        } catch {
            try? handle.close()
            try? manager.removeItem(atPath: temporary)
            throw error
        }
    }
}
