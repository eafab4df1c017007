import Foundation
@testable import StarconCore
import Testing

/// Photo files go with the last row that names them, on both engines; the sweep removes what no row names.
@Suite("Media files")
struct MediaFilesTests {
    static func files(_ core: Core, _ digest: String) -> [String] {
        let folder = core.media.files.subdirectory(for: digest)
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix(digest) }.sorted()
    }

    @Test(arguments: TestEngine.all)
    func filesStayWhileAnotherUploadOfTheSameBytesNamesThem(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            let picture = DemoPictures.scene(41, width: 64, height: 48)
            let first = try await core.media.upload(owner: kim, data: picture)
            let second = try await core.media.upload(owner: kim, data: picture)
            #expect(first.digest == second.digest)
            #expect(Self.files(core, first.digest).count == 3, "original, large and small")
            let direct = try await core.feed.post(author: kim, .init(text: "mine", visibility: .direct, mediaIDs: [first.id]))
            let shown = try await core.feed.post(author: kim, .init(text: "ours", visibility: .public, mediaIDs: [second.id]))
            #expect(try await core.media.file(named: first.small.file(first.digest))?.isPublic == true, "a public status shows it")
            try await core.feed.delete(actor: kim, id: direct.status.id)
            #expect(Self.files(core, first.digest).count == 3, "the public status still shows the same bytes")
            try await core.feed.delete(actor: kim, id: shown.status.id)
            #expect(Self.files(core, first.digest).isEmpty)
            #expect(try await core.media.file(named: first.small.file(first.digest)) == nil)
            #expect(try await core.media.sweepOrphans(gracePeriod: 0) == 0, "nothing left to sweep")
        }
    }

    @Test(arguments: TestEngine.all)
    func theSweepRemovesFilesNoRowNamesAndOldUnattachedUploads(engine: TestEngine) async throws {
        let (clock, time) = Clock.manual(startingAt: 1_700_000_000_000)
        try await TestStore.withCore(engine, clock: clock) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            let kept = try await core.media.upload(owner: kim, data: DemoPictures.scene(1, width: 40, height: 30))
            _ = try await core.feed.post(author: kim, .init(text: "kept", mediaIDs: [kept.id]))
            let forgotten = try await core.media.upload(owner: kim, data: DemoPictures.scene(2, width: 40, height: 30))
            // Files of a row that is gone (as a crash between a deletion's commit and its unlink leaves them).
            let lost = try await core.media.upload(owner: kim, data: DemoPictures.scene(3, width: 40, height: 30))
            try await core.database.write { db in try await db.raw("DELETE FROM media WHERE id = \(bind: lost.id)").run() }
            #expect(Self.files(core, lost.digest).count == 3)
            #expect(try await core.media.sweepOrphans(gracePeriod: 3_600) == 0, "files younger than the grace period stay")
            #expect(try await core.media.sweepOrphans(gracePeriod: 0) == 3)
            #expect(Self.files(core, lost.digest).isEmpty && Self.files(core, forgotten.digest).count == 3)
            time.advance(milliseconds: MediaService.unattachedLifetime + 1)
            #expect(try await core.media.sweepOrphans(gracePeriod: 0) == 3, "an upload attached to nothing for a day goes")
            #expect(Self.files(core, forgotten.digest).isEmpty && Self.files(core, kept.digest).count == 3)
            await #expect(throws: CoreError.notFound) { try await core.media.get(forgotten.id, owner: kim) }
        }
    }
}
