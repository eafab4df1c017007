import Foundation
@testable import StarconMedia
import Testing

@Suite("Image pipeline")
struct ImagePipelineTests {
    static func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
        return try Data(contentsOf: url)
    }

    /// True when `bytes` holds `marker` anywhere.
    static func contains(_ data: Data, _ marker: String) -> Bool {
        data.range(of: Data(marker.utf8)) != nil
    }

    @Test func formatsAreRecognisedByContentOnly() throws {
        #expect(ImageFormat(sniffing: try Self.fixture("oriented.jpg")) == .jpeg)
        #expect(ImageFormat(sniffing: try Self.fixture("alpha.png")) == .png)
        #expect(ImageFormat(sniffing: try Self.fixture("anim.gif")) == .gif)
        #expect(ImageFormat(sniffing: try Self.fixture("photo.webp")) == .webp)
        #expect(ImageFormat(sniffing: try Self.fixture("notes.txt")) == nil)
        #expect(ImageFormat(sniffing: Data("<svg xmlns=\"http://www.w3.org/2000/svg\"/>".utf8)) == nil)
        #expect(ImageFormat(sniffing: Data([0xFF, 0xD8])) == nil)
    }

    @Test func orientationIsAppliedAndEveryMetadataBlockIsGone() async throws {
        let source = try Self.fixture("oriented.jpg")
        #expect(Self.contains(source, "SpyCam"))
        let processed = try await ImagePipeline().process(source)
        #expect(processed.format == .jpeg)
        #expect(processed.original.width == 40, "EXIF orientation 6 turns 60x40 upright")
        #expect(processed.original.height == 60)
        for rendition in [processed.original, processed.large, processed.small] {
            let hasExif = Self.contains(rendition.data, "Exif") || Self.contains(rendition.data, "SpyCam")
            #expect(!hasExif)
            #expect(ImageFormat(sniffing: rendition.data) == .jpeg)
        }
        let expectedLength = 28  // 1 + 1 + 4 + 2 × 11 components
        #expect(processed.blurhash.count == expectedLength)
    }

    @Test func transparencyStaysPNGAndTextChunksGo() async throws {
        let source = try Self.fixture("alpha.png")
        #expect(Self.contains(source, "secret location"))
        let processed = try await ImagePipeline().process(source)
        #expect(processed.small.isPNG)
        #expect(processed.small.width == 50)
        #expect(!Self.contains(processed.original.data, "secret location"))
    }

    @Test func gifGivesItsFirstFrameAndWebPIsRead() async throws {
        let gif = try await ImagePipeline().process(try Self.fixture("anim.gif"))
        #expect(gif.original.width == 20, "a GIF's first frame, as PNG since GIFs carry transparency")
        let webp = try await ImagePipeline().process(try Self.fixture("photo.webp"))
        #expect(webp.format == .webp && webp.small.width == 30)
    }

    @Test func bombsAndNonImagesAreRefusedBeforeDecoding() async throws {
        await #expect(throws: ImagePipeline.Failure.tooManyPixels) { try await ImagePipeline().process(try Self.fixture("bomb.png")) }
        await #expect(throws: ImagePipeline.Failure.notAnImage) { try await ImagePipeline().process(try Self.fixture("notes.txt")) }
        let fakeGIF = Data("GIF89a, then a letter instead of pixels".utf8)
        await #expect(throws: ImagePipeline.Failure.self) { try await ImagePipeline().process(fakeGIF) }
        await #expect(throws: ImagePipeline.Failure.empty) { try await ImagePipeline().process(Data()) }
        var limits = ImagePipeline.Limits()
        limits.maxBytes = 100
        await #expect(throws: ImagePipeline.Failure.tooLarge) { try await ImagePipeline(limits: limits).process(try Self.fixture("oriented.jpg")) }
        var truncated = try Self.fixture("oriented.jpg")
        truncated = truncated.prefix(200)
        await #expect(throws: ImagePipeline.Failure.self) { try await ImagePipeline().process(truncated) }
    }

    static let secrets = ["Exif", "SpyCam", "xmpmeta", "SecretCity", "ICC_PROFILE", "SecretComment", "SecretTrailer"]

    @Test func anUprightJPEGKeepsItsOwnPixelsAsTheOriginalWithEveryMetadataBlockGone() async throws {
        let source = try Self.fixture("large.jpg")
        #expect(Self.secrets.allSatisfy { Self.contains(source, $0) })
        let processed = try await ImagePipeline().process(source)
        #expect((processed.original.width, processed.original.height) == (2400, 1600))
        #expect((processed.large.width, processed.large.height) == (1600, 1067))
        #expect((processed.small.width, processed.small.height) == (640, 427))
        for rendition in [processed.original, processed.large, processed.small] {
            #expect(!rendition.isPNG && ImageFormat(sniffing: rendition.data) == .jpeg)
            for secret in Self.secrets { #expect(!Self.contains(rendition.data, secret), "\(secret)") }
            #expect(rendition.data.suffix(2) == Data([0xFF, 0xD9]), "nothing after the end of the image")
        }
        #expect(processed.original.data.count < source.count, "the same compressed data, less the metadata")
        #expect(processed.blurhash.count == 28)
    }

    @Test func aRotatedJPEGIsTurnedUprightInEveryRenditionWithNoMetadata() async throws {
        let source = try Self.fixture("large-oriented.jpg")
        #expect(Self.contains(source, "SpyCam"))
        let processed = try await ImagePipeline().process(source)
        #expect((processed.original.width, processed.original.height) == (1600, 2400), "EXIF orientation 8 turns 2400x1600 upright")
        #expect((processed.large.width, processed.large.height) == (1067, 1600))
        #expect((processed.small.width, processed.small.height) == (427, 640))
        for rendition in [processed.original, processed.large, processed.small] {
            #expect(!Self.contains(rendition.data, "Exif") && !Self.contains(rendition.data, "SpyCam"))
        }
    }

    @Test func largePhotosAreShrunkToTheirSlots() async throws {
        // A 3000x1000 photo made by scaling the fixture up: small ≤ 640, large ≤ 1600 on the long side.
        let processed = try await ImagePipeline().process(try Self.fixture("oriented.jpg"))
        #expect(processed.small.width <= ImagePipeline.smallSide)
        #expect(processed.large.width <= ImagePipeline.largeSide)
    }
}
