import SQLKit

extension FeedService {
    /// Statuses as `viewer` sees them, in the given order, leaving out what they may not see: the
    /// mentions, tags, photos, reactions, reposted originals and the viewer's own favourites, reposts and
    /// bookmarks are each read with one query for the whole page, and only where there are any.
    /// `context`: where the statuses are shown, for the viewer's filters there (a `hide` filter leaves a
    /// status out, a `warn` one marks it with `StatusView.filterResults`); nil applies none.
    static func views(_ statuses: [Status], viewer: Viewer, db: any SQLDatabase, timeline: Bool = false,
                      context: FilterContext? = nil) async throws -> [StatusView] {
        let filters = try await FilterService.active(for: viewer, in: context, db: db)
        return try await views(statuses, viewer: viewer, db: db, timeline: timeline, filters: filters)
    }

    /// The same, with the viewer's filters for the context already read (`FilterService.active`).
    static func views(_ statuses: [Status], viewer: Viewer, db: any SQLDatabase, timeline: Bool = false,
                      filters: [Filter]) async throws -> [StatusView] {
        // A status whose own text a `hide` filter matches is left out before anything else is read for it
        // (the full check below, with photo descriptions and poll options, would leave it out too).
        let statuses = Self.withoutHidden(statuses, by: filters, viewer: viewer.account.id)
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
        // Following matters only for followers-only statuses and limited authors (`Viewer.canSee`): most pages
        // need few or none.
        let viewer = try await viewer.knowingFollows(of: Set(byID.values.filter { $0.visibility == .private || $0.author.limited }.map(\.author.id)), db: db)
        // Mentions, photos and reactions are read only for the statuses that have some (`Status.stored`).
        func having(_ part: Status.StoredParts) -> Set<Int64> { allIDs.filter { byID[$0]!.stored.contains(part) } }
        var mentions: [Int64: [Account]] = [:]
        if case let ids = having(.mentions), !ids.isEmpty {
            for row in try await db.raw("""
                SELECT m.status_id AS m_status, \(unsafeRaw: AccountRow.joinedColumns)
                FROM status_mentions m JOIN accounts a ON a.id = m.account_id WHERE m.status_id IN (\(list(ids)))
                """).all() {
                mentions[try row.decode(column: "m_status", as: Int64.self), default: []].append(try AccountRow.decode(row))
            }
        }
        // Tags come only from the text (StatusText.hashtags, when it is posted or edited), so a text without
        // "#" or its full-width form has none.
        var tags: [Int64: [String]] = [:]
        if case let ids = allIDs.filter({ StatusText.mayHaveHashtag(byID[$0]!.text) }), !ids.isEmpty {
            for row in try await db.raw("SELECT status_id, tag FROM status_tags WHERE status_id IN (\(list(ids)))").all() {
                tags[try row.decode(column: "status_id", as: Int64.self), default: []].append(try row.decode(column: "tag", as: String.self))
            }
        }
        var media: [Int64: [MediaAttachment]] = [:]
        if case let ids = having(.media), !ids.isEmpty {
            for row in try await db.raw("SELECT \(unsafeRaw: MediaRow.columns) FROM media m WHERE m.status_id IN (\(list(ids))) ORDER BY m.position, m.id").all() {
                let attachment = try MediaRow.decode(row)
                if let statusID = attachment.statusID { media[statusID, default: []].append(attachment) }
            }
        }
        var reactions: [Int64: [String: Int]] = [:]
        var myReactions: [Int64: Set<String>] = [:]
        if case let ids = having(.reactions), !ids.isEmpty {
            for row in try await db.raw("""
                SELECT status_id, emoji, COUNT(*) AS n, MAX(CASE WHEN account_id = \(bind: viewer.account.id) THEN 1 ELSE 0 END) AS mine
                FROM status_reactions WHERE status_id IN (\(list(ids))) GROUP BY status_id, emoji
                """).all() {
                let statusID = try row.decode(column: "status_id", as: Int64.self), emoji = try row.decode(column: "emoji", as: String.self)
                reactions[statusID, default: [:]][emoji] = try row.decode(column: "n", as: Int.self)
                if try row.decode(column: "mine", as: Int.self) == 1 { myReactions[statusID, default: []].insert(emoji) }
            }
        }
        let pinned = try await pinnedAmong(byID.values.filter { $0.author.id == viewer.account.id && $0.reblogOfID == nil }.map(\.id),
                                           viewer: viewer.account.id, db: db)
        let (polls, pollVotes) = try await Polls.load(having(.poll), viewer: viewer.account.id, now: viewer.now, db: db)
        let (favourited, bookmarked, reblogged) = try await viewerActions(on: byID.values, viewer: viewer.account.id, db: db)
        let muted = try await threadMutedAmong(allIDs, account: viewer.account.id, db: db)

        func view(_ id: Int64) -> StatusView? {
            guard var status = byID[id] else { return nil }
            status.mentions = mentions[id] ?? []
            status.tags = (tags[id] ?? []).sorted()
            status.media = media[id] ?? []
            status.reactions = FeedRules.reactions.compactMap { emoji in reactions[id]?[emoji].map { Status.Reaction(emoji: emoji, count: $0) } }
            status.poll = polls[id]
            guard viewer.canSee(status, mentioned: status.mentions.map(\.id)) else { return nil }
            if timeline, !viewer.wantsInTimeline(status) { return nil }
            var reblog: StatusView.Box?
            if let originalID = status.reblogOfID {
                guard let original = view(originalID) else { return nil }
                reblog = StatusView.Box(original)
            }
            var result = StatusView(status: status, reblog: reblog, permissions: viewer.permissions(status, original: reblog?.view.status))
            result.favourited = favourited.contains(id)
            result.bookmarked = bookmarked.contains(id)
            result.reblogged = reblogged.contains(id)
            result.myReactions = myReactions[id] ?? []
            result.pollVotes = pollVotes[id]
            result.viewerID = viewer.account.id
            result.pinned = pinned.contains(id)
            result.muted = muted.contains(id)
            if let poll = status.poll { result.permissions.vote = Permissions.vote(poll, voted: result.pollVotes != nil, mayAct: viewer.mayAct) }
            return result
        }
        guard !filters.isEmpty else { return statuses.compactMap { view($0.id) } }
        return statuses.compactMap { status -> StatusView? in
            guard var result = view(status.id) else { return nil }
            // A repost is judged by what it shows; one's own posts are never filtered away from oneself.
            let shown = result.reblog?.view.status ?? result.status
            guard shown.author.id != viewer.account.id else { return result }
            let text = FilterText(([shown.spoilerText, shown.text] + shown.media.map(\.description) + (shown.poll?.options.map(\.title) ?? [])).joined(separator: "\n"))
            for filter in filters {
                let matched = filter.matches(text: text, statusID: shown.id)
                guard !matched.keywords.isEmpty || matched.status else { continue }
                if filter.action == .hide { return nil }
                result.filterResults.append(FilterResult(filter: filter, keywordMatches: matched.keywords, statusMatches: matched.status ? [shown.id] : []))
            }
            return result
        }
    }

    /// `statuses` less those (not reposts: they are judged by what they show) whose text or content warning a
    /// `hide` filter matches, or that one lists; one's own are never filtered away from oneself.
    private static func withoutHidden(_ statuses: [Status], by filters: [Filter], viewer: Int64) -> [Status] {
        let hiding = filters.filter { $0.action == .hide }
        guard !hiding.isEmpty else { return statuses }
        return statuses.filter { status in
            guard status.reblogOfID == nil, status.author.id != viewer else { return true }
            let text = FilterText(status.spoilerText + "\n" + status.text)
            return !hiding.contains { filter in
                let matched = filter.matches(text: text, statusID: status.id)
                return !matched.keywords.isEmpty || matched.status
            }
        }
    }

    /// What the viewer did with these statuses, in one query: favourites (f), bookmarks (b), reposts (r).
    /// Nobody has favourited or reposted a status whose count is 0 (the counts change in the same
    /// transaction as the rows), so only bookmarks are asked about for every status.
    private static func viewerActions(on statuses: some Collection<Status>, viewer me: Int64, db: any SQLDatabase) async throws
        -> (favourited: Set<Int64>, bookmarked: Set<Int64>, reblogged: Set<Int64>) {
        var query: SQLQueryString = """
            SELECT 'b' AS kind, status_id AS id FROM bookmarks WHERE account_id = \(bind: me) AND status_id IN (\(list(statuses.map(\.id))))
            """
        if case let ids = statuses.filter({ $0.favouritesCount > 0 }).map(\.id), !ids.isEmpty {
            query = query + " UNION ALL SELECT 'f', status_id FROM favourites WHERE account_id = \(bind: me) AND status_id IN (\(list(ids)))"
        }
        if case let ids = statuses.filter({ $0.reblogsCount > 0 }).map(\.id), !ids.isEmpty {
            query = query + " UNION ALL SELECT 'r', reblog_of_id FROM statuses WHERE account_id = \(bind: me) AND reblog_of_id IN (\(list(ids)))"
        }
        let ids = try await idsByKind(query, db: db)
        return (ids["f"] ?? [], ids["b"] ?? [], ids["r"] ?? [])
    }

    /// The ids a query returns (columns `kind` and `id`), grouped by kind: several small id lists read in one
    /// statement, as `UNION ALL` of `SELECT 'x' AS kind, … AS id`.
    static func idsByKind(_ query: SQLQueryString, db: any SQLDatabase) async throws -> [String: Set<Int64>] {
        var ids: [String: Set<Int64>] = [:]
        for row in try await db.raw(query).all() {
            ids[try row.decode(column: "kind", as: String.self), default: []].insert(try row.decode(column: "id", as: Int64.self))
        }
        return ids
    }

    static func list(_ ids: some Collection<Int64>) -> SQLList {
        SQLList(ids.map { SQLBind($0) })
    }
}
