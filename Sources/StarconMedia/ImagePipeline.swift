import CVips
import Foundation

/// Turns an uploaded photo into what Starcon serves: every version re-encoded from the pixels, oriented
/// by its EXIF tag, with no metadata (GPS above all) left in any of them. libvips does the pixel work;
/// this type holds the limits and runs the work on its own threads, off the event loops.
public struct ImagePipeline: Sendable {
    public struct Limits: Sendable {
        /// Largest upload accepted, in bytes.
        public var maxBytes = 16 * 1024 * 1024
        /// Largest picture, in pixels (width × height), checked from the header before decoding.
        public var maxPixels = 33_177_600
        /// Decodes run at once (each can take several hundred megabytes at the pixel limit)…
        public var decodesAtOnce = 2
        /// …and how many more may wait for one; beyond that an upload is refused as `busy`.
        public var decodesWaiting = 8
        public init() {}
    }

    public struct Rendition: Sendable, Equatable {
        public let data: Data
        public let width: Int
        public let height: Int
        public let isPNG: Bool
        public var fileExtension: String { isPNG ? "png" : "jpg" }
        public var mimeType: String { isPNG ? "image/png" : "image/jpeg" }
    }

    /// What one upload becomes.
    public struct Processed: Sendable {
        public let format: ImageFormat
        public let original: Rendition
        public let large: Rendition
        public let small: Rendition
        public let blurhash: String
    }

    public enum Failure: Error, Equatable, Sendable {
        case empty
        case tooLarge
        case notAnImage
        case tooManyPixels
        case unreadable(String)
        /// Every decode slot and queue place is taken: try again shortly.
        case busy
    }

    public static let smallSide = 640
    public static let largeSide = 1600

    public let limits: Limits
    private let pool: DecodePool

    public init(limits: Limits = Limits()) {
        self.limits = limits
        self.pool = DecodePool(width: limits.decodesAtOnce, queueLimit: limits.decodesWaiting)
    }

    public func process(_ data: Data) async throws(Failure) -> Processed {
        guard !data.isEmpty else { throw .empty }
        guard data.count <= limits.maxBytes else { throw .tooLarge }
        let header = try Self.checkedHeader(data, limits)
        let format = header.format, maxPixels = limits.maxPixels
        let result: Result<Processed, Failure>? = await pool.run {
            Result { () throws(Failure) -> Processed in
                // libvips's own reading of the header, the size its loader will allocate for.
                let (width, height) = try Self.probe(data, format)
                guard width > 0, height > 0, width * height <= maxPixels else { throw .tooManyPixels }
                return try Self.render(data, format)
            }
        }
        guard let result else { throw .busy }
        return try result.get()
    }

    /// The header as `ImageHeader` reads it, refused before any decoding when it claims too many pixels or
    /// more than the file's length can hold.
    static func checkedHeader(_ data: Data, _ limits: Limits) throws(Failure) -> ImageHeader {
        let header: ImageHeader
        do {
            header = try ImageHeader.read(data)
        } catch {
            switch error {
            case .notAnImage: throw .notAnImage
            case .malformed: throw .unreadable("the file's structure is broken")
            case .truncated: throw .unreadable("the file is cut short")
            case .unsupported: throw .unreadable("this kind of the format is not supported")
            }
        }
        guard header.pixels <= limits.maxPixels else { throw .tooManyPixels }
        guard header.fitsItsLength else { throw .unreadable("the file is too short for the size it claims") }
        return header
    }

    // MARK: libvips calls

    private static func cFormat(_ format: ImageFormat) -> sc_format {
        switch format {
        case .jpeg: SC_JPEG
        case .png: SC_PNG
        case .gif: SC_GIF
        case .webp: SC_WEBP
        }
    }

    private static func lastError() -> String { String(cString: starcon_vips_error()) }

    static func probe(_ data: Data, _ format: ImageFormat) throws(Failure) -> (Int, Int) {
        var width: Int32 = 0, height: Int32 = 0
        let status = data.withUnsafeBytes { starcon_vips_probe($0.baseAddress, $0.count, cFormat(format), &width, &height) }
        guard status == 0 else { throw .unreadable(lastError()) }
        return (Int(width), Int(height))
    }

    /// How the renditions are encoded. The large view is a baseline JPEG: progressive coding would make it
    /// about 5 % smaller but take three times as long to encode. The small preview, the one every timeline
    /// shows, is progressive: at its size that costs a few milliseconds.
    static let options = sc_options(
        large_side: Int32(largeSide), small_side: Int32(smallSide), blur_side: 32,
        original_quality: 90, large_quality: 85, small_quality: 80,
        original_progressive: 1, large_progressive: 0, small_progressive: 1,
        threads: 2)

    /// Every rendition from one decode (in C, on up to two threads), and the blurhash from the small
    /// preview's pixels.
    static func render(_ data: Data, _ format: ImageFormat) throws(Failure) -> Processed {
        var processed = sc_processed()
        var options = Self.options
        let status = data.withUnsafeBytes { starcon_vips_process($0.baseAddress, $0.count, cFormat(format), &options, &processed) }
        guard status == 0 else { throw .unreadable(lastError()) }
        defer { starcon_vips_processed_free(&processed) }
        func rendition(_ r: sc_rendition) -> Rendition {
            Rendition(data: Data(bytes: r.data, count: r.length), width: Int(r.width), height: Int(r.height), isPNG: r.is_png != 0)
        }
        let pixels = UnsafeBufferPointer(start: processed.pixels, count: Int(processed.pixels_width) * Int(processed.pixels_height) * 3)
        let blurhash = Blurhash.encode(pixels: pixels, width: Int(processed.pixels_width), height: Int(processed.pixels_height),
                                       componentsX: 4, componentsY: 3)
        return Processed(format: format, original: rendition(processed.original), large: rendition(processed.large),
                         small: rendition(processed.small), blurhash: blurhash)
    }
}
