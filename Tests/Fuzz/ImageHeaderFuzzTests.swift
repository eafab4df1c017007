import Foundation
@testable import StarconMedia
import Testing

/// ImageHeader on mutated JPEG, PNG, GIF and WebP files: a header or a problem, never a crash; a size that is
/// never 0; and never a smaller picture than libvips's own reading of the same bytes, which is what its
/// loader allocates for (so the pixel and length checks hold for what is decoded).
@Suite("Fuzz: image headers")
struct ImageHeaderFuzzTests {
    static let markers: [[UInt8]] = [
        [0xFF, 0xD8], [0xFF, 0xD9], [0xFF, 0xDA], [0xFF, 0xC0], [0xFF, 0xC2], [0xFF, 0xC4], [0xFF, 0xDB], [0xFF, 0xE1], [0xFF, 0x00],
        [0xFF, 0xD0], [0xFF, 0xC9], [0x00, 0x00], [0xFF, 0xFF, 0xFF, 0xFF], [0x7F, 0xFF, 0xFF, 0xFF],
    ] + ["IHDR", "IDAT", "IEND", "PLTE", "tEXt", "acTL", "GIF89a", "NETSCAPE2.0", "RIFF", "WEBP", "VP8 ", "VP8L", "VP8X", "ALPH"].map { Array($0.utf8) }

    @Test func mutatedImages() throws {
        try Fuzzer("image-header", byteTokens: Self.markers, maxLength: 70_000).run { bytes in
            let data = Data(bytes)
            guard let header = try? ImageHeader.read(data) else { return }
            guard header.width > 0, header.height > 0, header.format == ImageFormat(sniffing: data) else {
                throw Fuzzer.Violation("header \(header) for a \(String(describing: ImageFormat(sniffing: data))) file")
            }
            if let (width, height) = try? ImagePipeline.probe(data, header.format), width * height > header.pixels {
                throw Fuzzer.Violation("libvips reads \(width) × \(height), the header check \(header.width) × \(header.height)")
            }
        }
    }
}
