import Foundation
import Logging
import StarconCore
@testable import StarconWeb
import Testing

/// Mastodon Status JSON from the per-status cache: what every viewer shares is reused while the status is
/// unchanged, what is the viewer's own never leaks to another viewer, and any change makes fresh JSON.
@Suite("Status JSON")
struct StatusJSONTests {
    static func object(_ raw: JSONWriter.Raw) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(raw.bytes)) as? [String: Any])
    }

    @Test func sharedPartsAreReusedAndViewersKeepTheirOwn() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("starcon-json-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let core = try await Core.open(.sqlite(path: directory.appendingPathComponent("db.sqlite").path), logger: Logger(label: "test"))
        do {
            let kim = try await core.accounts.create(.init(username: "kim", password: "correct horse battery"))
            let lee = try await core.accounts.create(.init(username: "lee", password: "correct horse battery"))
            let posted = try await core.feed.post(author: kim, .init(text: "안녕 #서울 @lee <b>x</b> https://intra.example/a."))
            let cache = StatusJSONCache(capacity: 2)
            let entities = MastodonEntities.Context(publicURL: "http://test", domain: "test", assets: try Assets.bundled(), statusJSON: cache)
            _ = try await core.feed.add(.favourite, by: lee, statusID: posted.status.id)
            _ = try await core.feed.react(by: lee, statusID: posted.status.id, emoji: "👍")
            let seenByLee = try #require(try await core.feed.view(id: posted.status.id, viewer: lee))
            let seenByKim = try #require(try await core.feed.view(id: posted.status.id, viewer: kim))
            let lees = try Self.object(entities.status(seenByLee))
            let kims = try Self.object(entities.status(seenByKim))
            #expect(lees["favourited"] as? Bool == true && kims["favourited"] as? Bool == false)
            #expect(lees["favourites_count"] as? Int == 1 && kims["favourites_count"] as? Int == 1)
            #expect(lees["content"] as? String == kims["content"] as? String)
            func reactions(_ object: [String: Any]) -> [[String: Any]] {
                ((object["pleroma"] as? [String: Any])?["emoji_reactions"] as? [[String: Any]]) ?? []
            }
            #expect(reactions(lees).first?["name"] as? String == "👍" && reactions(lees).first?["count"] as? Int == 1)
            #expect(reactions(lees).first?["me"] as? Bool == true && reactions(kims).first?["me"] as? Bool == false)
            #expect(kims["reblog"] is NSNull && kims["muted"] as? Bool == false)
            let content = try #require(kims["content"] as? String)
            #expect(content.contains("&lt;b&gt;x&lt;/b&gt;") && !content.contains("<b>") && content.contains("서울"))
            #expect(Set(kims.keys).isSuperset(of: ["id", "account", "media_attachments", "mentions", "tags", "reblog", "pleroma", "reblogged"]))

            // Unchanged: the same shared bytes come back without being made again.
            var remade = false
            let again = cache.members(of: seenByKim.status) { _ in remade = true; return [] }
            #expect(!remade && !again.isEmpty)
            // A change (here the count) is never served from the old entry.
            _ = try await core.feed.remove(.favourite, by: lee, statusID: posted.status.id)
            let after = try #require(try await core.feed.view(id: posted.status.id, viewer: kim))
            #expect(try Self.object(entities.status(after))["favourites_count"] as? Int == 0)
            // Extra members (the source text of a deleted status) are added to the object.
            #expect(try Self.object(entities.status(after, adding: ["text": "안녕"]))["text"] as? String == "안녕")
            // A repost carries the original, as its reposter sees it, and says the reposter reposted it.
            let repost = try await core.feed.reblog(by: lee, statusID: posted.status.id)
            let reposted = try Self.object(entities.status(repost))
            #expect((reposted["reblog"] as? [String: Any])?["id"] as? String == String(posted.status.id))
            #expect(reposted["reblogged"] as? Bool == true && reposted["content"] as? String == "")
        } catch {
            await core.close()
            throw error
        }
        await core.close()
    }
}
