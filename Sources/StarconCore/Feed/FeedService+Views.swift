import SQLKit

extension FeedService {
    /// Statuses as `viewer` sees them, in the given order, leaving out what they may not see: the
    /// mentions, tags, reposted originals and the viewer's own favourites, reposts and bookmarks are
    /// each read with one query for the whole page.
    static func views(_ statuses: [Status], viewer: Viewer, db: any SQLDatabase, timeline: Bool = false) async throws -> [StatusView] {
        guard !statuses.isEmpty else { return [] }
        let originalIDs = Set(statuses.compactMap(\.reblogOfID)).subtracting(statuses.map(\.id))
        var byID: [Int64: Status] = [:]
        for status in statuses { byID[status.id] = status }
        if !originalIDs.isEmpty {
            let originals = try await db.raw("""
                SELECT \(unsafeRaw: StatusRow.columns) FROM \(unsafeRaw: StatusRow.from) WHERE s.id IN (\(list(originalIDs)))
                """).all().map(StatusRow.decode)
            for original in originals { byID[original.id] = original }
        }
        let allIDs = Set(byID.keys)
        let viewer = try await viewer.knowingFollows(of: Set(byID.values.map(\.author.id)), db: db)
        var mentions: [Int64: [Account]] = [:]
        for row in try await db.raw("""
            SELECT m.status_id AS m_status, \(unsafeRaw: AccountRow.joinedColumns)
            FROM status_mentions m JOIN accounts a ON a.id = m.account_id WHERE m.status_id IN (\(list(allIDs)))
            """).all() {
            mentions[try row.decode(column: "m_status", as: Int64.self), default: []].append(try AccountRow.decode(row))
        }
        // Tags come only from the text (StatusText.hashtags, when it is posted or edited), so a text without
        // "#" or its full-width form has none: most statuses need no tag query. (Mentions are not like that:
        // a reply mentions the member it answers.)
        let tagged = allIDs.filter { byID[$0]!.text.utf8.contains(UInt8(ascii: "#")) || byID[$0]!.text.contains("＃") }
        var tags: [Int64: [String]] = [:]
        if !tagged.isEmpty {
            for row in try await db.raw("SELECT status_id, tag FROM status_tags WHERE status_id IN (\(list(tagged)))").all() {
                tags[try row.decode(column: "status_id", as: Int64.self), default: []].append(try row.decode(column: "tag", as: String.self))
            }
        }
        var media: [Int64: [MediaAttachment]] = [:]
        for row in try await db.raw("SELECT \(unsafeRaw: MediaRow.columns) FROM media m WHERE m.status_id IN (\(list(allIDs))) ORDER BY m.position, m.id").all() {
            let attachment = try MediaRow.decode(row)
            if let statusID = attachment.statusID { media[statusID, default: []].append(attachment) }
        }
        var reactions: [Int64: [String: Int]] = [:]
        var myReactions: [Int64: Set<String>] = [:]
        for row in try await db.raw("""
            SELECT status_id, emoji, COUNT(*) AS n, MAX(CASE WHEN account_id = \(bind: viewer.account.id) THEN 1 ELSE 0 END) AS mine
            FROM status_reactions WHERE status_id IN (\(list(allIDs))) GROUP BY status_id, emoji
            """).all() {
            let statusID = try row.decode(column: "status_id", as: Int64.self), emoji = try row.decode(column: "emoji", as: String.self)
            reactions[statusID, default: [:]][emoji] = try row.decode(column: "n", as: Int.self)
            if try row.decode(column: "mine", as: Int.self) == 1 { myReactions[statusID, default: []].insert(emoji) }
        }
        // What the viewer did with them: one query for favourites (f), bookmarks (b) and reposts (r).
        let me = viewer.account.id
        var favourited = Set<Int64>(), bookmarked = Set<Int64>(), reblogged = Set<Int64>()
        for row in try await db.raw("""
            SELECT 'f' AS kind, status_id FROM favourites WHERE account_id = \(bind: me) AND status_id IN (\(list(allIDs)))
            UNION ALL SELECT 'b', status_id FROM bookmarks WHERE account_id = \(bind: me) AND status_id IN (\(list(allIDs)))
            UNION ALL SELECT 'r', reblog_of_id FROM statuses WHERE account_id = \(bind: me) AND reblog_of_id IN (\(list(allIDs)))
            """).all() {
            let id = try row.decode(column: "status_id", as: Int64.self)
            switch try row.decode(column: "kind", as: String.self) {
            case "f": favourited.insert(id)
            case "b": bookmarked.insert(id)
            default: reblogged.insert(id)
            }
        }

        func view(_ id: Int64) -> StatusView? {
            guard var status = byID[id] else { return nil }
            status.mentions = mentions[id] ?? []
            status.tags = (tags[id] ?? []).sorted()
            status.media = media[id] ?? []
            status.reactions = FeedRules.reactions.compactMap { emoji in reactions[id]?[emoji].map { Status.Reaction(emoji: emoji, count: $0) } }
            guard viewer.canSee(status, mentioned: status.mentions.map(\.id)) else { return nil }
            if timeline, !viewer.wantsInTimeline(status) { return nil }
            var reblog: StatusView.Box?
            if let originalID = status.reblogOfID {
                guard let original = view(originalID) else { return nil }
                reblog = StatusView.Box(original)
            }
            var result = StatusView(status: status, reblog: reblog)
            result.favourited = favourited.contains(id)
            result.bookmarked = bookmarked.contains(id)
            result.reblogged = reblogged.contains(id)
            result.myReactions = myReactions[id] ?? []
            return result
        }
        return statuses.compactMap { view($0.id) }
    }

    static func list(_ ids: some Collection<Int64>) -> SQLList {
        SQLList(ids.map { SQLBind($0) })
    }
}
