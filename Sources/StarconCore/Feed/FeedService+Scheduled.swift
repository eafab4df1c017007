import SQLKit

/// A status waiting to be posted at `scheduledAt` (Mastodon's ScheduledStatus).
public struct ScheduledStatus: Sendable, Equatable {
    public let id: Int64
    public let accountID: Int64
    public var scheduledAt: Int64
    public let status: FeedService.NewStatus
    public var media: [MediaAttachment]
}



extension FeedService {
    /// Keeps `new` to be posted at `at` (milliseconds), at least `FeedRules.minScheduleDelay` from now. Everything
    /// posting checks is checked now too, so a scheduled status fails at once rather than silently later.
    public func schedule(author: Account, _ new: NewStatus, at: Int64) async throws -> ScheduledStatus {
        let now = clock.nowMilliseconds()
        try AccountService.ensureMayAct(author, now: now)
        guard at >= now + FeedRules.minScheduleDelay else { throw CoreError.invalid("scheduled_at_soon", field: "scheduled_at") }
        var seen = Set<Int64>()
        let mediaIDs = new.mediaIDs.filter { seen.insert($0).inserted }
        guard mediaIDs.count <= MediaAttachment.maxPerStatus else { throw CoreError.invalid("media_count", field: "media_ids") }
        let (text, spoiler) = try Self.validated(text: new.text, spoilerText: new.spoilerText, allowEmpty: !mediaIDs.isEmpty || new.poll != nil)
        let poll = try new.poll.map { try $0.validated() }
        guard poll == nil || mediaIDs.isEmpty else { throw CoreError.invalid("poll_and_media", field: "poll") }
        let id = ids.next()
        try await database.write { db in
            let sensitive = try await Self.sensitive(new.sensitive, spoiler: spoiler, author: author.id, db: db)
            try await db.raw("""
                INSERT INTO scheduled_statuses (id, account_id, scheduled_at, text, spoiler_text, visibility, in_reply_to_id, language,
                                                poll_options, poll_expires_in, poll_multiple, poll_hide_totals, sensitive, created_at)
                VALUES (\(bind: id), \(bind: author.id), \(bind: at), \(bind: text), \(bind: spoiler), \(bind: new.visibility.rawValue),
                        \(bind: new.inReplyToID), \(bind: StatusLanguage.normalized(new.language)), \(bind: poll?.options.joined(separator: "\n")),
                        \(bind: poll?.expiresIn), \(bind: poll?.multiple == true ? 1 : 0), \(bind: poll?.hideTotals == true ? 1 : 0), \(bind: sensitive ? 1 : 0), \(bind: now))
                """).run()
            for (position, mediaID) in mediaIDs.enumerated() {
                // Only one's own photo, not on a status, message or another scheduled status (media_id is unique).
                let own = try await db.raw("""
                    SELECT 1 AS x FROM media WHERE id = \(bind: mediaID) AND account_id = \(bind: author.id) AND status_id IS NULL AND message_id IS NULL
                      AND NOT EXISTS (SELECT 1 FROM scheduled_status_media w WHERE w.media_id = media.id)
                    """).first() != nil
                guard own else { throw CoreError.invalid("media_unknown", field: "media_ids") }
                try await db.raw("""
                    INSERT INTO scheduled_status_media (scheduled_id, media_id, position) VALUES (\(bind: id), \(bind: mediaID), \(bind: position))
                    """).run()
            }
        }
        return try await scheduled(id, author: author) ?? { throw CoreError.notFound }()
    }

    /// One's scheduled statuses, paged as Mastodon pages them: by id, newest first.
    public func scheduledStatuses(author: Account, page: PageRequest = PageRequest()) async throws -> [ScheduledStatus] {
        let (bounds, ascending) = page.bounds("id")
        let list = try await database.read { db in
            try await Self.loadScheduled(db.raw("""
                SELECT * FROM scheduled_statuses WHERE account_id = \(bind: author.id) AND \(bounds)
                ORDER BY id \(unsafeRaw: ascending ? "ASC" : "DESC") LIMIT \(bind: page.limit)
                """).all(), db: db)
        }
        return ascending ? list.reversed() : list
    }

    public func scheduled(_ id: Int64, author: Account) async throws -> ScheduledStatus? {
        try await database.read { db in
            try await Self.loadScheduled(db.raw("SELECT * FROM scheduled_statuses WHERE id = \(bind: id) AND account_id = \(bind: author.id)").all(), db: db).first
        }
    }

    public func reschedule(_ id: Int64, author: Account, at: Int64) async throws -> ScheduledStatus {
        try await editScheduled(id, author: author, text: nil, spoilerText: nil, at: at)
    }

    /// Changes what a scheduled status will say and/or when it goes out (nil: unchanged), by the rules
    /// posting and scheduling check: text and warning cleaned and limited, empty text only beside photos or a
    /// poll, a time at least `FeedRules.minScheduleDelay` ahead. Nothing changes when any of it is refused.
    public func editScheduled(_ id: Int64, author: Account, text: String?, spoilerText: String?, at: Int64?) async throws -> ScheduledStatus {
        let now = clock.nowMilliseconds()
        try AccountService.ensureMayAct(author, now: now)
        if let at, at < now + FeedRules.minScheduleDelay { throw CoreError.invalid("scheduled_at_soon", field: "scheduled_at") }
        guard let current = try await scheduled(id, author: author) else { throw CoreError.notFound }
        let (newText, newSpoiler) = try Self.validated(text: text ?? current.status.text, spoilerText: spoilerText ?? current.status.spoilerText,
                                                       allowEmpty: !current.media.isEmpty || current.status.poll != nil)
        let changed = try await database.write { db in
            try await db.raw("""
                UPDATE scheduled_statuses SET scheduled_at = \(bind: at ?? current.scheduledAt), text = \(bind: newText),
                    spoiler_text = \(bind: newSpoiler), sensitive = \(bind: (current.status.sensitive ?? false) || !newSpoiler.isEmpty ? 1 : 0)
                WHERE id = \(bind: id) AND account_id = \(bind: author.id) RETURNING id
                """).first() != nil
        }
        guard changed, let scheduled = try await scheduled(id, author: author) else { throw CoreError.notFound }
        return scheduled
    }

    /// Cancels a scheduled status; its photos go back to being one's unattached uploads.
    public func cancelScheduled(_ id: Int64, author: Account) async throws {
        let deleted = try await database.write { db in
            try await db.raw("DELETE FROM scheduled_statuses WHERE id = \(bind: id) AND account_id = \(bind: author.id) RETURNING id").first() != nil
        }
        guard deleted else { throw CoreError.notFound }
    }

    /// Posts the scheduled statuses that are due (run by a job on one node). Each is posted with an idempotency
    /// key of its own before its row goes, so a node killed in between posts it once when the job runs again.
    /// One that can no longer be posted (its reply target gone, its author suspended) is dropped, as Mastodon does.
    public func publishScheduled(batch: Int = 50) async throws {
        let now = clock.nowMilliseconds()
        let due = try await database.read { db in
            try await Self.loadScheduled(db.raw("SELECT * FROM scheduled_statuses WHERE scheduled_at <= \(bind: now) ORDER BY scheduled_at LIMIT \(bind: batch)").all(),
                                         db: db)
        }
        for scheduled in due {
            var new = scheduled.status
            new.idempotencyKey = "scheduled:\(scheduled.id)"
            if let author = try await database.read({ db in try await AccountService.find(id: scheduled.accountID, db: db) }) {
                do {
                    _ = try await post(author: author, new)
                } catch is CoreError {
                    // Not postable any more: dropped below.
                }
            }
            try await database.write { db in try await db.raw("DELETE FROM scheduled_statuses WHERE id = \(bind: scheduled.id)").run() }
        }
    }

    private static func loadScheduled(_ rows: [any SQLRow], db: any SQLDatabase) async throws -> [ScheduledStatus] {
        guard !rows.isEmpty else { return [] }
        var media: [Int64: [MediaAttachment]] = [:]
        let ids = try rows.map { try $0.decode(column: "id", as: Int64.self) }
        for row in try await db.raw("""
            SELECT w.scheduled_id AS w_scheduled, \(unsafeRaw: MediaRow.columns) FROM scheduled_status_media w JOIN media m ON m.id = w.media_id
            WHERE w.scheduled_id IN (\(list(ids))) ORDER BY w.position
            """).all() {
            media[try row.decode(column: "w_scheduled", as: Int64.self), default: []].append(try MediaRow.decode(row))
        }
        return try rows.map { row in
            let id = try row.decode(column: "id", as: Int64.self)
            let options = try row.decode(column: "poll_options", as: String?.self)
            let poll = try options.map {
                NewPoll(options: $0.components(separatedBy: "\n"), expiresIn: try row.decode(column: "poll_expires_in", as: Int64?.self) ?? PollRules.minExpiration,
                        multiple: try row.decode(column: "poll_multiple", as: Int.self) == 1,
                        hideTotals: try row.decode(column: "poll_hide_totals", as: Int.self) == 1)
            }
            let new = NewStatus(text: try row.decode(column: "text", as: String.self), spoilerText: try row.decode(column: "spoiler_text", as: String.self),
                                visibility: Visibility(rawValue: try row.decode(column: "visibility", as: String.self)) ?? .direct,
                                inReplyToID: try row.decode(column: "in_reply_to_id", as: Int64?.self),
                                language: try row.decode(column: "language", as: String?.self),
                                mediaIDs: (media[id] ?? []).map(\.id), poll: poll,
                                sensitive: try row.decode(column: "sensitive", as: Int.self) != 0)
            return ScheduledStatus(id: id, accountID: try row.decode(column: "account_id", as: Int64.self),
                                   scheduledAt: try row.decode(column: "scheduled_at", as: Int64.self), status: new, media: media[id] ?? [])
        }
    }
}
