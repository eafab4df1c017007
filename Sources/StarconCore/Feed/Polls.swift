import SQLKit

/// A poll on a status (its id is the status's): options, when it ends, and the votes so far.
public struct Poll: Sendable, Equatable {
    public let id: Int64
    public let expiresAt: Int64
    public let multiple: Bool
    /// Counts are shown only once it has ended (Mastodon's `hide_totals`).
    public let hideTotals: Bool
    public var options: [Option]
    /// Members who voted (each once, whatever the number of choices).
    public var votersCount: Int
    public var votesCount: Int
    /// Whether it had ended when it was read.
    public var expired: Bool

    public struct Option: Sendable, Equatable {
        public let title: String
        public var votes: Int
    }

    /// Whether `viewer` may see the counts: once it ended, or always unless hidden, or to its author.
    public func showsTotals(to viewer: Int64, authorID: Int64) -> Bool { !hideTotals || expired || viewer == authorID }
}

/// A poll as a client asks for one, checked by `validated`.
public struct NewPoll: Sendable, Equatable {
    public var options: [String]
    /// Seconds from posting until it ends.
    public var expiresIn: Int64
    public var multiple: Bool
    public var hideTotals: Bool

    public init(options: [String], expiresIn: Int64, multiple: Bool = false, hideTotals: Bool = false) {
        self.options = options
        self.expiresIn = expiresIn
        self.multiple = multiple
        self.hideTotals = hideTotals
    }

    func validated() throws -> NewPoll {
        var poll = self
        poll.options = options.map { AccountRules.stripControls($0).trimmingWhitespace() }
        guard (2...PollRules.maxOptions).contains(poll.options.count) else { throw CoreError.invalid("poll_options_count", field: "poll[options]") }
        guard poll.options.allSatisfy({ !$0.isEmpty && $0.count <= PollRules.maxOptionCharacters }) else {
            throw CoreError.invalid("poll_option_length", field: "poll[options]")
        }
        guard Set(poll.options).count == poll.options.count else { throw CoreError.invalid("poll_options_duplicate", field: "poll[options]") }
        guard (PollRules.minExpiration...PollRules.maxExpiration).contains(expiresIn) else {
            throw CoreError.invalid("poll_expiration", field: "poll[expires_in]")
        }
        return poll
    }
}

public enum PollRules {
    public static let maxOptions = 4
    public static let maxOptionCharacters = 50
    /// Seconds: five minutes to a month, as Mastodon.
    public static let minExpiration: Int64 = 300
    public static let maxExpiration: Int64 = 2_629_746
}

/// The store side of polls, used inside the feed's transactions and page reads.
enum Polls {
    static func store(_ poll: NewPoll, statusID: Int64, now: Int64, db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO polls (status_id, expires_at, multiple, hide_totals, votes_count, voters_count, ended)
            VALUES (\(bind: statusID), \(bind: now + poll.expiresIn * 1000), \(bind: poll.multiple ? 1 : 0), \(bind: poll.hideTotals ? 1 : 0), 0, 0, 0)
            """).run()
        for (position, title) in poll.options.enumerated() {
            try await db.raw("""
                INSERT INTO poll_options (status_id, position, title, votes_count) VALUES (\(bind: statusID), \(bind: position), \(bind: title), 0)
                """).run()
        }
    }

    /// The polls of these statuses, and which options `viewer` chose in each they voted in.
    static func load(_ statusIDs: Set<Int64>, viewer: Int64, now: Int64, db: any SQLDatabase) async throws -> (polls: [Int64: Poll], votes: [Int64: [Int]]) {
        guard !statusIDs.isEmpty else { return ([:], [:]) }
        var polls: [Int64: Poll] = [:]
        for row in try await db.raw("""
            SELECT status_id, expires_at, multiple, hide_totals, votes_count, voters_count FROM polls WHERE status_id IN (\(FeedService.list(statusIDs)))
            """).all() {
            let id = try row.decode(column: "status_id", as: Int64.self), expiresAt = try row.decode(column: "expires_at", as: Int64.self)
            polls[id] = Poll(id: id, expiresAt: expiresAt, multiple: try row.decode(column: "multiple", as: Int.self) == 1,
                             hideTotals: try row.decode(column: "hide_totals", as: Int.self) == 1, options: [],
                             votersCount: try row.decode(column: "voters_count", as: Int.self),
                             votesCount: try row.decode(column: "votes_count", as: Int.self), expired: expiresAt <= now)
        }
        guard !polls.isEmpty else { return ([:], [:]) }
        for row in try await db.raw("""
            SELECT status_id, title, votes_count FROM poll_options WHERE status_id IN (\(FeedService.list(polls.keys))) ORDER BY status_id, position
            """).all() {
            let id = try row.decode(column: "status_id", as: Int64.self)
            polls[id]?.options.append(Poll.Option(title: try row.decode(column: "title", as: String.self), votes: try row.decode(column: "votes_count", as: Int.self)))
        }
        var votes: [Int64: [Int]] = [:]
        for row in try await db.raw("""
            SELECT status_id, position FROM poll_votes WHERE account_id = \(bind: viewer) AND status_id IN (\(FeedService.list(polls.keys))) ORDER BY position
            """).all() {
            votes[try row.decode(column: "status_id", as: Int64.self), default: []].append(try row.decode(column: "position", as: Int.self))
        }
        return (polls, votes)
    }
}

extension FeedService {
    /// Votes in the poll of status `pollID` (`choices`: option positions). A member votes once; a second
    /// vote, a vote after the end, or choices the poll does not offer change nothing.
    public func vote(by actor: Account, pollID: Int64, choices: [Int]) async throws -> StatusView {
        let now = clock.nowMilliseconds()
        try AccountService.ensureMayAct(actor, now: now)
        let chosen = Array(Set(choices)).sorted()
        try await log.write { db, _ in
            guard let status = try await Self.load(id: pollID, db: db),
                  try await Viewer.load(actor, now: now, db: db).canSee(status, mentioned: try await Self.mentionIDs(of: pollID, db: db)),
                  let poll = try await Polls.load([pollID], viewer: actor.id, now: now, db: db).polls[pollID] else { throw CoreError.notFound }
            guard !poll.expired else { throw CoreError.invalid("poll_expired", field: "choices") }
            // A second vote is refused below by the voter row's key, which also holds under concurrent votes.
            guard !chosen.isEmpty, chosen.allSatisfy({ (0..<poll.options.count).contains($0) }), poll.multiple || chosen.count == 1 else {
                throw CoreError.invalid("poll_choices", field: "choices")
            }
            // The voter row's key is what makes a second vote (or two at once) count nothing.
            let first = try await db.raw("""
                INSERT INTO poll_voters (status_id, account_id, created_at) VALUES (\(bind: pollID), \(bind: actor.id), \(bind: now))
                ON CONFLICT (status_id, account_id) DO NOTHING RETURNING account_id
                """).first() != nil
            guard first else { throw CoreError.invalid("poll_already_voted", field: "choices") }
            for position in chosen {
                try await db.raw("INSERT INTO poll_votes (status_id, account_id, position) VALUES (\(bind: pollID), \(bind: actor.id), \(bind: position))").run()
                try await db.raw("UPDATE poll_options SET votes_count = votes_count + 1 WHERE status_id = \(bind: pollID) AND position = \(bind: position)").run()
            }
            try await db.raw("""
                UPDATE polls SET votes_count = votes_count + \(bind: chosen.count), voters_count = voters_count + 1 WHERE status_id = \(bind: pollID)
                """).run()
        }
        return try await view(id: pollID, viewer: actor) ?? { throw CoreError.notFound }()
    }

    /// Marks polls that have ended and tells their authors and voters, once each (run by a job on one node).
    public func endPolls(batch: Int = 100) async throws {
        let now = clock.nowMilliseconds()
        let due = try await database.read { db in
            try await db.raw("SELECT status_id FROM polls WHERE ended = 0 AND expires_at <= \(bind: now) ORDER BY expires_at LIMIT \(bind: batch)").all()
                .map { try $0.decode(column: "status_id", as: Int64.self) }
        }
        for pollID in due {
            try await log.write { db, outbox in
                guard try await db.raw("UPDATE polls SET ended = 1 WHERE status_id = \(bind: pollID) AND ended = 0 RETURNING status_id").first() != nil,
                      let author = try await db.raw("SELECT account_id FROM statuses WHERE id = \(bind: pollID)").first()?
                          .decode(column: "account_id", as: Int64.self) else { return }
                let voters = try await db.raw("SELECT account_id FROM poll_voters WHERE status_id = \(bind: pollID)").all()
                    .map { try $0.decode(column: "account_id", as: Int64.self) }
                for recipient in [author] + voters.filter({ $0 != author }) {
                    try await Notifications.add(to: recipient, type: .poll, from: author, status: pollID, ids: ids, now: now, outbox: outbox, db: db,
                                                evenOwn: true)
                }
            }
        }
    }
}
