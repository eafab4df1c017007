import SQLKit

/// A photo a member uploaded, attached to at most one status. Its files are shared by every upload of the
/// same bytes (content-addressed by the SHA-256 of the upload).
public struct MediaAttachment: Sendable, Equatable {
    public struct Version: Sendable, Equatable {
        public let name: String
        public let fileExtension: String
        public let width: Int
        public let height: Int
        /// The file's size in bytes (0 for photos uploaded before sizes were kept).
        public var bytes: Int = 0
        /// The file's name under the media directory and in its URL, `/media/<file>`.
        public func file(_ digest: String) -> String { "\(digest)-\(name).\(fileExtension)" }
    }

    public let id: Int64
    public let accountID: Int64
    public let statusID: Int64?
    public let digest: String
    public var description: String
    public let blurhash: String
    public let original: Version
    public let large: Version
    public let small: Version
    public let createdAt: Int64

    public static let maxDescription = 1_500
    public static let maxPerStatus = 4
}

enum MediaRow {
    static let columns = """
        m.id AS m_id, m.account_id AS m_account, m.status_id AS m_status, m.digest AS m_digest, m.description AS m_description,
        m.blurhash AS m_blurhash, m.original_ext, m.original_width, m.original_height, m.large_ext, m.large_width, m.large_height,
        m.small_ext, m.small_width, m.small_height, m.small_bytes, m.large_bytes, m.created_at AS m_created
        """

    static func decode(_ row: any SQLRow) throws -> MediaAttachment {
        func version(_ name: String, bytes: Bool = true) throws -> MediaAttachment.Version {
            .init(name: name, fileExtension: try row.decode(column: "\(name)_ext", as: String.self),
                  width: try row.decode(column: "\(name)_width", as: Int.self), height: try row.decode(column: "\(name)_height", as: Int.self),
                  bytes: bytes ? try row.decode(column: "\(name)_bytes", as: Int.self) : 0)
        }
        return MediaAttachment(
            id: try row.decode(column: "m_id", as: Int64.self), accountID: try row.decode(column: "m_account", as: Int64.self),
            statusID: try row.decode(column: "m_status", as: Int64?.self), digest: try row.decode(column: "m_digest", as: String.self),
            description: try row.decode(column: "m_description", as: String.self), blurhash: try row.decode(column: "m_blurhash", as: String.self),
            original: try version("original", bytes: false), large: try version("large"), small: try version("small"),
            createdAt: try row.decode(column: "m_created", as: Int64.self))
    }
}
