import Foundation
@testable import StarconMedia
import Testing

@Suite("Image header")
struct ImageHeaderTests {
    /// A JPEG's markers up to its first scan, claiming `width` × `height`, then `scanBytes` of entropy-coded
    /// data (what a decoder would spread over all those pixels), then EOI when `complete`.
    static func jpeg(width: Int, height: Int, scanBytes: Int, complete: Bool) -> Data {
        var bytes: [UInt8] = [0xFF, 0xD8]
        bytes += [0xFF, 0xDB, 0x00, 0x43, 0x00] + [UInt8](repeating: 1, count: 64) // DQT
        bytes += [0xFF, 0xC0, 0x00, 0x11, 0x08, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF),
                  0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x00, 0x03, 0x11, 0x00] // SOF0, three components, 4:2:0
        bytes += [0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F, 0x00] // SOS
        bytes += [UInt8](repeating: 0x55, count: scanBytes)
        if complete { bytes += [0xFF, 0xD9] }
        return Data(bytes)
    }

    @Test func theFixturesSizesAreReadFromTheirHeaders() throws {
        let expected: [(String, ImageFormat, Int, Int)] = [
            ("oriented.jpg", .jpeg, 60, 40), ("large.jpg", .jpeg, 2400, 1600), ("large-oriented.jpg", .jpeg, 2400, 1600),
            ("alpha.png", .png, 50, 30), ("bomb.png", .png, 6000, 6000), ("anim.gif", .gif, 20, 20), ("photo.webp", .webp, 30, 30),
        ]
        for (name, format, width, height) in expected {
            let header = try ImageHeader.read(try ImagePipelineTests.fixture(name))
            #expect(header == ImageHeader(format: format, width: width, height: height), "\(name)")
        }
    }

    @Test func aFewKilobytesClaimingThirtyThreeMegapixelsAreRefusedBeforeDecoding() async throws {
        // The attack: 2,000 bytes whose header claims 5,760 × 5,760 (33 Mpx, just within the pixel limit).
        let truncated = Self.jpeg(width: 5760, height: 5760, scanBytes: 1_900, complete: false)
        #expect(truncated.count < 2_100)
        #expect(throws: ImageHeader.Problem.truncated) { try ImageHeader.read(truncated) }
        await #expect(throws: ImagePipeline.Failure.unreadable("the file is cut short")) { try await ImagePipeline().process(truncated) }
        // Whole, but a byte per 16,000 pixels: no encoder spends less than a bit per 8 × 8 block.
        let thin = Self.jpeg(width: 5760, height: 5760, scanBytes: 1_900, complete: true)
        #expect(try ImageHeader.read(thin).fitsItsLength == false)
        await #expect(throws: ImagePipeline.Failure.unreadable("the file is too short for the size it claims")) {
            try await ImagePipeline().process(thin)
        }
        // The same claim with a byte for every 512 pixels passes this check (and goes on to the decoder).
        let enough = Self.jpeg(width: 5760, height: 5760, scanBytes: 5760 * 5760 / 512, complete: true)
        #expect(try ImageHeader.read(enough).fitsItsLength)
        // Over the pixel limit is said as such, whatever the length.
        await #expect(throws: ImagePipeline.Failure.tooManyPixels) {
            try await ImagePipeline().process(Self.jpeg(width: 5761, height: 5761, scanBytes: 100_000, complete: true))
        }
    }

    @Test func truncatedAndBrokenFilesOfEveryFormatAreRefused() throws {
        // (A GIF is read up to the end of its first frame, the only one decoded.)
        for name in ["oriented.jpg", "alpha.png", "anim.gif", "photo.webp"] {
            let data = try ImagePipelineTests.fixture(name)
            for length in name.hasSuffix(".gif") ? [12, 14] : [12, data.count / 2, data.count - 1] {
                #expect(throws: ImageHeader.Problem.self, "\(name) cut to \(length) bytes") { try ImageHeader.read(data.prefix(length)) }
            }
        }
        // Arithmetic coding defeats the length check (it can spend less than a bit on a block): refused.
        var arithmetic = [UInt8](Self.jpeg(width: 64, height: 64, scanBytes: 100, complete: true))
        arithmetic[2 + 69 + 1] = 0xC9
        #expect(throws: ImageHeader.Problem.unsupported) { try ImageHeader.read(Data(arithmetic)) }
        #expect(throws: ImageHeader.Problem.notAnImage) { try ImageHeader.read(Data("not a picture".utf8)) }
    }

    @Test func aGIFFramePlacedOutsideItsScreenCountsAtItsFullExtent() throws {
        // libvips grows the canvas to hold the frame where it is placed: a 20 × 20 screen with its frame 8,192
        // rows down is decoded 8,212 rows high (the fuzz target found the header check reading 20).
        var gif = [UInt8](try ImagePipelineTests.fixture("anim.gif"))
        let descriptor = try #require(gif.indices.dropFirst(13).first { gif[$0] == 0x2C && gif[$0 - 1] == 0x00 })
        gif[descriptor + 3] = 0x00
        gif[descriptor + 4] = 0x20
        let header = try ImageHeader.read(Data(gif))
        #expect(header.width == 20 && header.height == 8_192 + 20)
        #expect(header.fitsItsLength == false, "a few bytes of LZW cannot fill 164,240 pixels")
    }

    @Test func decodesBeyondThePoolAndItsQueueAreRefusedAtOnce() async throws {
        let pool = DecodePool(width: 2, queueLimit: 1)
        let gate = DispatchSemaphore(value: 0)
        async let first = pool.run { gate.wait(); return 1 }
        async let second = pool.run { gate.wait(); return 2 }
        while pool.counts.running < 2 { try await Task.sleep(for: .milliseconds(1)) }
        async let third = pool.run { 3 }
        while pool.counts.waiting < 1 { try await Task.sleep(for: .milliseconds(1)) }
        #expect(await pool.run { 4 } == nil, "two decoding and one waiting: the fourth is refused")
        gate.signal()
        gate.signal()
        #expect(await [first, second, third] == [1, 2, 3], "the one that waited runs when a slot frees")
        #expect(pool.counts.running == 0 && pool.counts.waiting == 0)
    }
}
