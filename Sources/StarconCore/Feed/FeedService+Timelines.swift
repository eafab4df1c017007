import SQLKit

/// A keyset page request, as Mastodon clients send it: `max_id` (older than), `since_id` (newer than, newest
/// first), `min_id` (newer than, the ones just after it).
public struct PageRequest: Sendable, Equatable {
    public var maxID: Int64?
    public var sinceID: Int64?
    public var minID: Int64?
    public var limit: Int

    public init(maxID: Int64? = nil, sinceID: Int64? = nil, minID: Int64? = nil, limit: Int = FeedRules.defaultPageSize) {
        self.maxID = maxID
        self.sinceID = sinceID
        self.minID = minID
        self.limit = max(1, min(limit, FeedRules.maxPageSize))
    }

    /// `WHERE` conditions on `column` and the order to read in.
    func bounds(_ column: String) -> (SQLQueryString, ascending: Bool) {
        var clause: SQLQueryString = "\(unsafeRaw: column) < \(bind: maxID ?? Int64.max)"
        if let lower = minID ?? sinceID { clause = clause + " AND \(unsafeRaw: column) > \(bind: lower)" }
        return (clause, minID != nil)
    }
}

/// A page of a timeline, newest first, with the cursors for the pages around it.
public struct TimelinePage: Sendable {
    public let items: [StatusView]
    /// Cursor values of the newest and oldest item read (for `Link` headers), even when some were hidden.
    public let newestCursor: Int64?
    public let oldestCursor: Int64?
}

public enum Timeline: Sendable, Equatable {
    /// Followed members' statuses and reposts, and one's own.
    case home
    /// Every public status on the network (Mastodon's public and local timelines are one here).
    case network
    /// One member's statuses and reposts.
    case account(Int64)
    /// Public statuses with a hashtag (normalised with `StatusText.validTag`).
    case tag(String)
    /// One's bookmarks, most recently bookmarked first (cursors are bookmark ids).
    case bookmarks
    /// One's favourites, most recent first.
    case favourites
    /// One of one's lists: its members' statuses (`FeedList.repliesPolicy` decides which replies).
    case list(Int64)
}

extension Timeline {
    /// Which of the member's filters apply here (none to one's own bookmarks and favourites).
    var filterContext: FilterContext? {
        switch self {
        case .home, .list: .home
        case .network, .tag: .public
        case .account: .account
        case .bookmarks, .favourites: nil
        }
    }
}

extension FeedService {
    /// `onlyMedia`: only statuses with photos (Mastodon's `only_media`).
    public func timeline(_ timeline: Timeline, viewer: Account, page: PageRequest = PageRequest(), onlyMedia: Bool = false) async throws -> TimelinePage {
        try await database.read { db in
            var listPolicy = FeedList.RepliesPolicy.list
            if case .list(let id) = timeline {
                guard let list = try await ListService.load(id, owner: viewer.id, db: db) else { throw CoreError.notFound }
                listPolicy = list.repliesPolicy
            }
            // Whom the viewer follows matters only for the authors on the page (and an account timeline's owner).
            var target: Set<Int64> = []
            if case .account(let id) = timeline { target = [id] }
            let who = try await Viewer.load(viewer, now: clock.nowMilliseconds(), db: db, followingAmong: target)
            // Read just over a page; when hidden statuses (blocked, muted, a repeated repost) leave it short and
            // there is more, read once more with room to spare. Most pages hide nothing, and every row read costs.
            // The viewer's filters are read once, not once for each try at the page.
            let filters = try await FilterService.active(for: who, in: timeline.filterContext, db: db)
            // Hide filters leave part of every read out: the first read asks for as many more rows as this
            // member's last page lost (`HiddenShares`), so the second read stays rare.
            let hides = filters.contains { $0.action == .hide }
            let fetch = hides ? hiddenShares.rowsToRead(limit: page.limit, viewer: viewer.id) : page.limit + 2
            let first = try await Self.timelinePage(timeline, viewer: who, page: page, fetch: fetch, onlyMedia: onlyMedia, listPolicy: listPolicy,
                                                    filters: filters, db: db)
            if hides { hiddenShares.record(hidden: first.hidden, of: first.read, viewer: viewer.id) }
            guard first.page.items.count < page.limit, !first.exhausted else { return first.page }
            return try await Self.timelinePage(timeline, viewer: who, page: page, fetch: max(fetch * 2, page.limit + 40), onlyMedia: onlyMedia,
                                               listPolicy: listPolicy, filters: filters, db: db).page
        }
    }

    /// One try at a page from `fetch` rows; `exhausted` when there were no more rows to read; `hidden` of the
    /// `read` rows were not the viewer's to see (filters, blocks, mutes).
    private static func timelinePage(_ timeline: Timeline, viewer who: Viewer, page: PageRequest, fetch: Int, onlyMedia: Bool,
                                     listPolicy: FeedList.RepliesPolicy, filters: [Filter],
                                     db: any SQLDatabase) async throws -> (page: TimelinePage, exhausted: Bool, read: Int, hidden: Int) {
        let (query, cursorColumn) = Self.query(timeline, viewer: who, page: page, fetch: fetch, onlyMedia: onlyMedia, listPolicy: listPolicy)
        let rows = try await db.raw(query).all()
        var pairs = try rows.map { (try StatusRow.decode($0), try $0.decode(column: "cursor", as: Int64.self)) }
        if timeline == .home, !onlyMedia, pairs.count < fetch, page.minID == nil, page.sinceID == nil {
            // Past what was fanned out (older history of accounts followed later): read the slow way.
            var older = page
            older.maxID = pairs.last?.1 ?? page.maxID
            let rest = try await db.raw(Self.olderHome(viewer: who, page: older, fetch: fetch - pairs.count)).all()
            pairs += try rest.map { (try StatusRow.decode($0), try $0.decode(column: "cursor", as: Int64.self)) }
        }
        let exhausted = pairs.count < fetch
        if page.bounds(cursorColumn).ascending { pairs.reverse() }
        let views = try await Self.views(pairs.map(\.0), viewer: who, db: db, timeline: timeline != .bookmarks && timeline != .favourites,
                                         filters: filters)
        let visible = Set(views.map(\.status.id))
        var kept = pairs.filter { visible.contains($0.0.id) }
        if page.bounds(cursorColumn).ascending { kept = Array(kept.suffix(page.limit)) } else { kept = Array(kept.prefix(page.limit)) }
        let keptIDs = Set(kept.map(\.0.id))
        // A status shows once per page: a repost of something already on it (or a second repost) is left out.
        var shown = Set<Int64>()
        let items = views.filter { view in
            guard keptIDs.contains(view.status.id) else { return false }
            return shown.insert(view.reblog?.view.status.id ?? view.status.id).inserted
        }
        return (TimelinePage(items: items, newestCursor: kept.first?.1, oldestCursor: kept.last?.1), exhausted, pairs.count, pairs.count - visible.count)
    }

    /// Home statuses straight from the followed accounts, for history older than the fanned-out feed (the
    /// feed query came back short, so nothing in `home_feed` is older than `page.maxID`).
    private static func olderHome(viewer: Viewer, page: PageRequest, fetch: Int) -> SQLQueryString {
        let me = viewer.account.id
        return """
            SELECT \(unsafeRaw: StatusRow.columns), s.id AS cursor FROM \(unsafeRaw: StatusRow.from)
            WHERE s.account_id IN (SELECT target_id FROM follows WHERE account_id = \(bind: me) UNION ALL SELECT \(bind: me))
              AND s.visibility <> 'direct' AND a.status = 'active' AND s.id < \(bind: page.maxID ?? Int64.max)\(homeExclusion(viewer, "s.account_id"))
            ORDER BY s.id DESC LIMIT \(bind: fetch)
            """
    }

    /// Leaves the members of the viewer's exclusive lists out of home (nothing when they have none).
    private static func homeExclusion(_ viewer: Viewer, _ column: String) -> SQLQueryString {
        viewer.homeExcluded.isEmpty ? "" : " AND \(unsafeRaw: column) NOT IN (\(list(viewer.homeExcluded)))"
    }

    private static func query(_ timeline: Timeline, viewer: Viewer, page: PageRequest, fetch: Int, onlyMedia: Bool,
                              listPolicy: FeedList.RepliesPolicy = .list) -> (SQLQueryString, String) {
        let me = viewer.account.id
        let active = "a.status = 'active'" + (onlyMedia ? " AND EXISTS (SELECT 1 FROM media p WHERE p.status_id = s.id)" : "")
        switch timeline {
        case .home:
            let (bounds, ascending) = page.bounds("h.status_id")
            return ("""
                SELECT \(unsafeRaw: StatusRow.columns), h.status_id AS cursor FROM home_feed h JOIN statuses s ON s.id = h.status_id
                JOIN accounts a ON a.id = s.account_id
                WHERE h.account_id = \(bind: me) AND \(unsafeRaw: active) AND \(bounds)\(homeExclusion(viewer, "h.author_id"))
                ORDER BY h.status_id \(unsafeRaw: ascending ? "ASC" : "DESC") LIMIT \(bind: fetch)
                """, "h.status_id")
        case .network:
            let (bounds, ascending) = page.bounds("s.id")
            return ("""
                SELECT \(unsafeRaw: StatusRow.columns), s.id AS cursor FROM \(unsafeRaw: StatusRow.from)
                WHERE s.visibility = 'public' AND s.reblog_of_id IS NULL AND \(unsafeRaw: active) AND \(bounds)
                ORDER BY s.id \(unsafeRaw: ascending ? "ASC" : "DESC") LIMIT \(bind: fetch)
                """, "s.id")
        case .account(let target):
            let (bounds, ascending) = page.bounds("s.id")
            let visibilities = target == me ? "'public', 'unlisted', 'private', 'direct'"
                : viewer.follows(target) ? "'public', 'unlisted', 'private', 'direct'" : "'public', 'unlisted', 'direct'"
            let media = onlyMedia ? " AND EXISTS (SELECT 1 FROM media p WHERE p.status_id = s.id)" : ""
            return ("""
                SELECT \(unsafeRaw: StatusRow.columns), s.id AS cursor FROM \(unsafeRaw: StatusRow.from)
                WHERE s.account_id = \(bind: target) AND s.visibility IN (\(unsafeRaw: visibilities))\(unsafeRaw: media) AND \(bounds)
                ORDER BY s.id \(unsafeRaw: ascending ? "ASC" : "DESC") LIMIT \(bind: fetch)
                """, "s.id")
        case .tag(let tag):
            let (bounds, ascending) = page.bounds("t.status_id")
            return ("""
                SELECT \(unsafeRaw: StatusRow.columns), t.status_id AS cursor FROM status_tags t JOIN statuses s ON s.id = t.status_id
                JOIN accounts a ON a.id = s.account_id
                WHERE t.tag = \(bind: tag) AND s.visibility = 'public' AND \(unsafeRaw: active) AND \(bounds)
                ORDER BY t.status_id \(unsafeRaw: ascending ? "ASC" : "DESC") LIMIT \(bind: fetch)
                """, "t.status_id")
        case .bookmarks:
            let (bounds, ascending) = page.bounds("b.id")
            return ("""
                SELECT \(unsafeRaw: StatusRow.columns), b.id AS cursor FROM bookmarks b JOIN statuses s ON s.id = b.status_id
                JOIN accounts a ON a.id = s.account_id
                WHERE b.account_id = \(bind: me) AND \(bounds)
                ORDER BY b.id \(unsafeRaw: ascending ? "ASC" : "DESC") LIMIT \(bind: fetch)
                """, "b.id")
        case .list(let id):
            let (bounds, ascending) = page.bounds("s.id")
            let members = "SELECT account_id FROM list_members WHERE list_id = \(id)"
            let replies: String
            switch listPolicy {
            case .none: replies = "s.in_reply_to_id IS NULL"
            case .list: replies = "(s.in_reply_to_account_id IS NULL OR s.in_reply_to_account_id = s.account_id OR s.in_reply_to_account_id IN (\(members)))"
            case .followed:
                replies = "(s.in_reply_to_account_id IS NULL OR s.in_reply_to_account_id IN (SELECT target_id FROM follows WHERE account_id = \(me)) OR s.in_reply_to_account_id IN (\(me), s.account_id))"
            }
            return ("""
                SELECT \(unsafeRaw: StatusRow.columns), s.id AS cursor FROM \(unsafeRaw: StatusRow.from)
                WHERE s.account_id IN (\(unsafeRaw: members)) AND s.visibility <> 'direct' AND \(unsafeRaw: replies) AND \(unsafeRaw: active) AND \(bounds)
                ORDER BY s.id \(unsafeRaw: ascending ? "ASC" : "DESC") LIMIT \(bind: fetch)
                """, "s.id")
        case .favourites:
            let (bounds, ascending) = page.bounds("f.created_at")
            return ("""
                SELECT \(unsafeRaw: StatusRow.columns), f.created_at AS cursor FROM favourites f JOIN statuses s ON s.id = f.status_id
                JOIN accounts a ON a.id = s.account_id
                WHERE f.account_id = \(bind: me) AND \(bounds)
                ORDER BY f.created_at \(unsafeRaw: ascending ? "ASC" : "DESC") LIMIT \(bind: fetch)
                """, "f.created_at")
        }
    }
}
