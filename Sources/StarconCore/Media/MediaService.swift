import Crypto
import Foundation
import SQLKit
import StarconMedia

/// Uploading photos and reading their files. The pixel work is StarconMedia's; this keeps the rules (who
/// may change or attach a photo, who may cache it), the records, and the files (`MediaFiles`), written once
/// and durably and removed with the last row that names them.
public struct MediaService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    let files: MediaFiles
    let pipeline = ImagePipeline()

    /// An upload attached to nothing is kept this long (a client uploads, then posts), then swept.
    public static let unattachedLifetime: Int64 = 24 * 3_600_000

    init(database: any Database, ids: IDGenerator, clock: Clock, files: MediaFiles) {
        self.database = database
        self.ids = ids
        self.clock = clock
        self.files = files
    }

    /// Where the files live: `<directory>/<first two hex digits>/<digest>-<version>.<ext>`.
    public var directory: String { files.directory }

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
            case .busy: throw CoreError(.throttled, "media_busy", field: "file", retryAfterSeconds: 2)
            }
        }
        let digest = Secrets.hex(SHA256.hash(data: data))
        let versions = [("original", processed.original), ("large", processed.large), ("small", processed.small)].map { name, rendition in
            (name: "\(digest)-\(name).\(rendition.fileExtension)", data: rendition.data)
        }
        let id = ids.next()
        let now = clock.nowMilliseconds()
        // On disk before the row that names them commits; under the digest's lock, so a deletion of another
        // row with the same bytes cannot remove them in between.
        try await files.withLock(digest) {
            try await files.writeDurably(versions, digest: digest)
            try await database.write { db in
                try await db.raw("""
                    INSERT INTO media (id, account_id, digest, description, blurhash, original_ext, original_width, original_height,
                        large_ext, large_width, large_height, small_ext, small_width, small_height, small_bytes, large_bytes, created_at)
                    VALUES (\(bind: id), \(bind: owner.id), \(bind: digest), \(bind: description), \(bind: processed.blurhash),
                        \(bind: processed.original.fileExtension), \(bind: processed.original.width), \(bind: processed.original.height),
                        \(bind: processed.large.fileExtension), \(bind: processed.large.width), \(bind: processed.large.height),
                        \(bind: processed.small.fileExtension), \(bind: processed.small.width), \(bind: processed.small.height),
                        \(bind: processed.small.data.count), \(bind: processed.large.data.count), \(bind: now))
                    """).run()
            }
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

    /// A file to serve: its bytes, and whether shared caches may keep it.
    public struct ServedFile: Sendable {
        public let data: Data
        /// True when a public status or a site page shows it; a photo of a followers-only or direct status, of a message,
        /// or not attached yet is for private caches only (its URL is unguessable, and unlisted anywhere).
        public let isPublic: Bool
    }

    /// The file named like `MediaAttachment.Version.file`, or nil when it is not one or no photo names it
    /// any more (deleted with its status or message).
    public func file(named name: String) async throws -> ServedFile? {
        guard Self.isFileName(name) else { return nil }
        let digest = String(name.prefix(64))
        let visibilities = try await database.read { db in
            try await db.raw("""
                SELECT CASE WHEN EXISTS (SELECT 1 FROM site_media sm WHERE sm.media_id = m.id) THEN 'public' ELSE s.visibility END AS visibility
                FROM media m LEFT JOIN statuses s ON s.id = m.status_id WHERE m.digest = \(bind: digest)
                """).all().map { try $0.decode(column: "visibility", as: String?.self) }
        }
        guard !visibilities.isEmpty, let data = files.contents(of: name) else { return nil }
        return ServedFile(data: data, isPublic: visibilities.contains { $0.flatMap(Visibility.init(rawValue:))?.isOpen == true })
    }

    /// Removes what no one can reach any more: uploads attached to nothing for `unattachedLifetime` (their
    /// rows, then their files), and files no row names (left by a crash between a deletion's commit and its
    /// unlink, by a failed unlink, or by deletions before files were removed with their rows). Run
    /// periodically; returns how many files went.
    @discardableResult
    public func sweepOrphans(gracePeriod: TimeInterval = 3_600) async throws -> Int {
        let cutoff = clock.nowMilliseconds() - Self.unattachedLifetime
        let digests = try await database.write { db in
            try await db.raw("""
                DELETE FROM media WHERE status_id IS NULL AND message_id IS NULL AND created_at < \(bind: cutoff)
                  AND NOT EXISTS (SELECT 1 FROM scheduled_status_media w WHERE w.media_id = media.id)
                  AND NOT EXISTS (SELECT 1 FROM accounts x WHERE x.avatar_media_id = media.id)
                  AND NOT EXISTS (SELECT 1 FROM accounts x WHERE x.header_media_id = media.id)
                  AND NOT EXISTS (SELECT 1 FROM site_media sm WHERE sm.media_id = media.id) RETURNING digest
                """).all().map { try $0.decode(column: "digest", as: String.self) }
        }
        return await files.release(digests) + (try await files.sweep(gracePeriod: gracePeriod))
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
}
