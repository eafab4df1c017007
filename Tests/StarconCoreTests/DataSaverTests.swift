import Foundation
@testable import StarconCore
import Testing

@Suite("Data saver")
struct DataSaverTests {
    @Test func theMembersChoiceWinsThenTheInstancesThenAlways() {
        #expect(PhotoPolicy(member: nil, instanceDefault: nil, hints: .init()).mode == .always)
        #expect(PhotoPolicy(member: nil, instanceDefault: .onTap, hints: .init()).mode == .onTap)
        #expect(PhotoPolicy(member: .slowLinks, instanceDefault: .onTap, hints: .init()).mode == .slowLinks)
    }

    @Test func alwaysFetchesTheFirstScreenOnlyAndWaitsBelowIt() {
        let policy = PhotoPolicy(member: .always, instanceDefault: nil, hints: .init())
        for place in 0..<PhotoPolicy.firstScreenItems { #expect(policy.presentation(position: place) == .now) }
        let below = policy.presentation(position: PhotoPolicy.firstScreenItems)
        #expect(below.trigger == .near && !below.noscriptImage && !below.unlessSlowLink, "nothing below the fold without a script")
    }

    @Test func onTapIsAPlaceholderEverywhereUntilRevealed() {
        let policy = PhotoPolicy(member: .onTap, instanceDefault: nil, hints: .init(saveData: false))
        #expect(policy.presentation(position: 0) == .tap)
        #expect(policy.presentation(position: 9) == .tap)
        let revealed = PhotoPolicy(member: .onTap, instanceDefault: nil, hints: .init(revealed: true))
        #expect(revealed.presentation(position: 9) == .now, "the placeholder's own link shows the photos")
    }

    @Test func slowLinksAsksTheBrowser() {
        let fast = PhotoPolicy(member: .slowLinks, instanceDefault: nil, hints: .init(saveData: false))
        let first = fast.presentation(position: 0)
        #expect(first.trigger == .near && first.unlessSlowLink && first.noscriptImage,
                "without a script and without Save-Data the first screen's photos show; a script keeps them on a 2g link")
        #expect(!fast.presentation(position: 5).noscriptImage)
        let saving = PhotoPolicy(member: .slowLinks, instanceDefault: nil, hints: .init(saveData: true))
        #expect(saving.presentation(position: 0) == .tap, "Save-Data: on makes it on-tap without any script")
        #expect(PhotoPolicy(member: .always, instanceDefault: nil, hints: .init(saveData: true)).presentation(position: 0) == .now,
                "a member who chose always gets photos whatever the browser says")
    }

    @Test func saveDataHeader() {
        #expect(LinkHints.saveData(header: "on"))
        #expect(LinkHints.saveData(header: " On ;x=1"))
        #expect(!LinkHints.saveData(header: "off"))
        #expect(!LinkHints.saveData(header: nil))
        #expect(!LinkHints.saveData(header: "only"))
    }

    @Test func averageColourIsTheBlurhashsFirstComponent() {
        func colour(_ hash: String) -> String {
            MediaAttachment(id: 1, accountID: 1, statusID: nil, digest: "", description: "", blurhash: hash,
                            original: .init(name: "original", fileExtension: "jpg", width: 1, height: 1),
                            large: .init(name: "large", fileExtension: "jpg", width: 1, height: 1),
                            small: .init(name: "small", fileExtension: "jpg", width: 1, height: 1, bytes: 1_025), createdAt: 0).averageColour
        }
        // "LEHV6nWB2yk8pyo0adR*.7kCMdnj" is the reference example; its DC digits "HV6n" are 0x6d5d4d... as decoded below.
        let value = (17 * 83 * 83 * 83 + 31 * 83 * 83 + 6 * 83 + 49) & 0xFFFFFF
        #expect(colour("LEHV6nWB2yk8pyo0adR*.7kCMdnj") == "#" + String(format: "%06x", value))
        #expect(colour("L0000000") == "#000000")
        #expect(colour("bad") == "#808080")
        #expect(colour("L€€€€€") == "#808080")
    }

    @Test(arguments: TestEngine.all)
    func choicesAreKeptAndOnlyAdminsSetTheDefault(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            var admin = AccountService.NewAccount(username: "root", password: "correct horse battery")
            admin.role = .admin
            let root = try await core.accounts.create(admin)
            let kim = try await TestStore.member(core, "kim")
            await #expect(throws: CoreError.forbidden) { try await core.settings.setPhotoLoadingDefault(actor: kim, .onTap) }
            #expect(try await core.settings.photoLoadingDefault() == nil, "a refused change leaves nothing")
            try await core.settings.setPhotoLoadingDefault(actor: root, .onTap)
            var policy = try await core.accounts.photoPolicy(for: kim, settings: core.settings, hints: .init())
            #expect(policy.mode == .onTap)
            try await core.accounts.setPhotoLoading(of: kim, to: .slowLinks)
            let reread = try #require(try await core.accounts.find(id: kim.id))
            #expect(reread.photoLoading == .slowLinks)
            policy = try await core.accounts.photoPolicy(for: reread, settings: core.settings, hints: .init())
            #expect(policy.mode == .slowLinks)
            try await core.accounts.setPhotoLoading(of: kim, to: nil)
            #expect(try await core.accounts.find(id: kim.id)?.photoLoading == nil)
        }
    }

    @Test(arguments: TestEngine.all)
    func aPhotosSizeIsKept(engine: TestEngine) async throws {
        try await TestStore.withCore(engine) { core, _ in
            let kim = try await TestStore.member(core, "kim")
            let photo = try await core.media.upload(owner: kim, data: DemoPictures.scene(1, width: 800, height: 600))
            #expect(photo.small.bytes > 0 && photo.large.bytes > 0)
            let onDisk = try FileManager.default.attributesOfItem(atPath: core.media.files.subdirectory(for: photo.digest) + "/" + photo.small.file(photo.digest))
            #expect((onDisk[.size] as? Int) == photo.small.bytes)
            #expect(photo.smallKilobytes == (photo.small.bytes + 1023) / 1024)
        }
    }
}
