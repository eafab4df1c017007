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
                let original = try Self.render(data, format, maxSide: 0, quality: 90)
                let large = try Self.render(data, format, maxSide: Self.largeSide, quality: 85)
                let small = try Self.render(data, format, maxSide: Self.smallSide, quality: 80)
                let blurhash = try Self.blurhash(data, format)
                return Processed(format: format, original: original, large: large, small: small, blurhash: blurhash)
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

    static func render(_ data: Data, _ format: ImageFormat, maxSide: Int, quality: Int) throws(Failure) -> Rendition {
        var out: UnsafeMutableRawPointer?
        var length = 0
        var width: Int32 = 0, height: Int32 = 0, isPNG: Int32 = 0
        let status = data.withUnsafeBytes {
            starcon_vips_render($0.baseAddress, $0.count, cFormat(format), Int32(maxSide), Int32(quality), &out, &length, &width, &height, &isPNG)
        }
        guard status == 0, let out else { throw .unreadable(lastError()) }
        defer { starcon_vips_free(out) }
        return Rendition(data: Data(bytes: out, count: length), width: Int(width), height: Int(height), isPNG: isPNG != 0)
    }

    static func blurhash(_ data: Data, _ format: ImageFormat) throws(Failure) -> String {
        var out: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0, height: Int32 = 0
        let status = data.withUnsafeBytes { starcon_vips_pixels($0.baseAddress, $0.count, cFormat(format), 32, &out, &width, &height) }
        guard status == 0, let out else { throw .unreadable(lastError()) }
        defer { starcon_vips_free(out) }
        let pixels = UnsafeBufferPointer(start: out, count: Int(width) * Int(height) * 3)
        return Blurhash.encode(pixels: pixels, width: Int(width), height: Int(height), componentsX: 4, componentsY: 3)
    }

    /// Image work on a thread of its own, so a slow decode never stalls a NIO event loop.
    private static func offloaded<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            workQueue.async { continuation.resume(returning: work()) }
        }
    }

    private static let workQueue = DispatchQueue(label: "starcon.images", qos: .userInitiated, attributes: .concurrent)
}
