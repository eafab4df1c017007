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
    }

    public static let smallSide = 640
    public static let largeSide = 1600

    public let limits: Limits

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    public func process(_ data: Data) async throws(Failure) -> Processed {
        guard !data.isEmpty else { throw .empty }
        guard data.count <= limits.maxBytes else { throw .tooLarge }
        guard let format = ImageFormat(sniffing: data) else { throw .notAnImage }
        let limits = limits
        let result: Result<Processed, Failure> = await Self.offloaded {
            Result { () throws(Failure) -> Processed in
                let (width, height) = try Self.probe(data, format)
                guard width > 0, height > 0, width * height <= limits.maxPixels else { throw .tooManyPixels }
                return try Self.render(data, format)
            }
        }
        return try result.get()
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

    /// Image work on a thread of its own, so a slow decode never stalls a NIO event loop.
    private static func offloaded<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            workQueue.async { continuation.resume(returning: work()) }
        }
    }

    private static let workQueue = DispatchQueue(label: "starcon.images", qos: .userInitiated, attributes: .concurrent)
}
