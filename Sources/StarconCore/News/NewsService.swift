import SQLKit

/// Newsgroups and their articles: one store for the web and NNTP, and every rule about who may read,
/// post, moderate and cancel.
public struct NewsService: Sendable {
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    let audit: AuditLog
    /// The instance's domain: message-ids, From addresses, Path and Xref.
    public let domain: String

    // MARK: Groups

    public func createGroup(actor: Account?, name: String, description: String = "", posting: PostingPolicy = .open) async throws -> Newsgroup {
        if let actor, !Permissions.instance(actor).manageGroups { throw CoreError.forbidden }
        let name = name.lowercased()
        try NewsgroupRules.validateName(name)
        let description = AccountRules.stripControls(description).trimmingWhitespace()
        guard description.count <= NewsgroupRules.maxDescriptionLength else { throw CoreError.invalid("group_description", field: "description") }
        let id = ids.next()
        let now = clock.nowMilliseconds()
        return try await database.write { db in
            if try await db.raw("SELECT id FROM newsgroups WHERE name = \(bind: name)").first() != nil {
                throw CoreError(.conflict, "group_exists", field: "name")
            }
            try await db.raw("""
                INSERT INTO newsgroups (id, name, description, posting, high, article_count, created_by, created_at)
                VALUES (\(bind: id), \(bind: name), \(bind: description), \(bind: posting.rawValue), 0, 0, \(bind: actor?.username ?? "starcon"), \(bind: now))
                """).run()
            try await audit.record(actor: actor?.id, action: "group.create", target: name, detail: posting.rawValue, db: db)
            return try await Self.group(named: name, db: db)!
        }
    }

    public func updateGroup(actor: Account, name: String, description: String, posting: PostingPolicy, moderators: [String]) async throws -> Newsgroup {
        let description = AccountRules.stripControls(description).trimmingWhitespace()
        guard description.count <= NewsgroupRules.maxDescriptionLength else { throw CoreError.invalid("group_description", field: "description") }
        return try await database.write { db in
            guard let group = try await Self.group(named: name, db: db) else { throw CoreError.notFound }
            guard try await Self.view(of: group, viewer: actor, now: clock.nowMilliseconds(), db: db).permissions.configure else {
                throw CoreError.forbidden
            }
            try await db.raw("UPDATE newsgroups SET description = \(bind: description), posting = \(bind: posting.rawValue) WHERE id = \(bind: group.id)").run()
            try await db.raw("DELETE FROM newsgroup_moderators WHERE group_id = \(bind: group.id)").run()
            for username in Set(moderators.map { $0.lowercased() }) where !username.isEmpty {
                guard let account = try await AccountService.find(username: username, db: db) else {
                    throw CoreError.invalid("moderator_unknown", field: "moderators")
                }
                try await db.raw("INSERT INTO newsgroup_moderators (group_id, account_id) VALUES (\(bind: group.id), \(bind: account.id))").run()
            }
            try await audit.record(actor: actor.id, action: "group.update", target: name, detail: posting.rawValue, db: db)
            return try await Self.group(named: name, db: db)!
        }
    }

    public func groups() async throws -> [Newsgroup] {
        try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: NewsgroupRow.columns) FROM newsgroups g ORDER BY g.name").all().map(NewsgroupRow.decode)
        }
    }

    public func group(named name: String) async throws -> Newsgroup? {
        try await database.read { db in try await Self.group(named: name, db: db) }
    }

    static func group(named name: String, db: any SQLDatabase) async throws -> Newsgroup? {
        try await db.raw("SELECT \(unsafeRaw: NewsgroupRow.columns) FROM newsgroups g WHERE g.name = \(bind: name.lowercased())")
            .first().map(NewsgroupRow.decode)
    }

    public func moderators(of group: Newsgroup) async throws -> [String] {
        try await database.read { db in
            try await db.raw("""
                SELECT a.username FROM newsgroup_moderators m JOIN accounts a ON a.id = m.account_id
                WHERE m.group_id = \(bind: group.id) ORDER BY a.username
                """).all().map { try $0.decode(column: "username", as: String.self) }
        }
    }

    static func isGroupModerator(_ accountID: Int64, _ groupID: Int64, db: any SQLDatabase) async throws -> Bool {
        try await db.raw("SELECT 1 AS x FROM newsgroup_moderators WHERE group_id = \(bind: groupID) AND account_id = \(bind: accountID)").first() != nil
    }

    /// Groups created at or after `since` (NEWGROUPS).
    public func groups(createdSince since: Int64) async throws -> [Newsgroup] {
        try await groups().filter { $0.createdAt >= since }
    }

    // MARK: Posting

    public enum PostOutcome: Sendable, Equatable {
        case published(Article)
        /// Waiting in a moderated group's queue.
        case queued(Article)

        public var article: Article {
            switch self {
            case .published(let article), .queued(let article): article
            }
        }
    }

    /// Posts an article. Every check is here: the author may post, every group exists, read-only groups
    /// take only their moderators, moderated groups queue, message-ids are unique, sizes are bounded.
    /// An article for moderated groups the author does not moderate waits until each of them approves it
    /// (`decide`), then appears in all its groups at once.
    public func post(author: Account, _ draft: ArticleDraft) async throws -> PostOutcome {
        try AccountService.ensureMayAct(author, now: clock.nowMilliseconds())
        let groupNames = Array(Set(draft.newsgroups.map { $0.lowercased().trimmingWhitespace() }.filter { !$0.isEmpty })).sorted()
        guard !groupNames.isEmpty else { throw CoreError.invalid("groups_missing", field: "newsgroups") }
        guard groupNames.count <= ArticleRules.maxGroupsPerArticle else { throw CoreError.invalid("groups_too_many", field: "newsgroups") }
        let subject = AccountRules.stripControls(draft.subject).trimmingWhitespace()
        guard !subject.isEmpty else { throw CoreError.invalid("subject_empty", field: "subject") }
        guard subject.count <= ArticleRules.maxSubjectLength else { throw CoreError.invalid("subject_long", field: "subject") }
        let body = Self.cleanBody(draft.body)
        guard !body.trimmingWhitespace().isEmpty else { throw CoreError.invalid("body_empty", field: "body") }
        guard body.utf8.count <= ArticleRules.maxBodyBytes else { throw CoreError.invalid("body_long", field: "body") }
        let references = Array(draft.references.filter { ArticleIDs.isValid($0) }.suffix(ArticleRules.maxReferences))
        if let id = draft.messageID, !ArticleIDs.isValid(id) { throw CoreError.invalid("message_id_invalid", field: "message_id") }
        let id = ids.next()
        let messageID = draft.messageID ?? "<\(id)@\(domain)>"
        let now = clock.nowMilliseconds()
        let extraHeaders = draft.extraHeaders.filter { !$0.contains("\n") && !$0.contains("\r") }.prefix(20).joined(separator: "\n")

        return try await database.write { db in
            var groups: [Newsgroup] = []
            for name in groupNames {
                guard let group = try await Self.group(named: name, db: db) else { throw CoreError.invalid("group_unknown", field: "newsgroups") }
                groups.append(group)
            }
            // The moderated groups whose moderators must approve the article (each for their own group).
            var awaiting: [Newsgroup] = []
            for group in groups {
                let permissions = try await Self.view(of: group, viewer: author, now: now, db: db).permissions
                guard permissions.post else { throw CoreError(.forbidden, "group_readonly") }
                if permissions.postWaitsForApproval { awaiting.append(group) }
            }
            let needsApproval = !awaiting.isEmpty
            if try await db.raw("SELECT id FROM articles WHERE message_id = \(bind: messageID)").first() != nil {
                throw CoreError(.conflict, "message_id_taken", field: "message_id")
            }
            // The parent is the newest ancestor we hold; the thread is the parent's thread.
            var parentID: Int64?
            var threadID = id
            for reference in references.reversed() {
                if let row = try await db.raw("SELECT id, thread_id FROM articles WHERE message_id = \(bind: reference)").first() {
                    parentID = try row.decode(column: "id", as: Int64.self)
                    threadID = try row.decode(column: "thread_id", as: Int64.self)
                    break
                }
            }
            let status: ArticleStatus = needsApproval ? .pending : .published
            try await db.raw("""
                INSERT INTO articles (id, message_id, author_id, from_header, author_name, subject, newsgroups, references_header,
                    parent_id, thread_id, body, extra_headers, posted_at, bytes, lines, status)
                VALUES (\(bind: id), \(bind: messageID), \(bind: author.id),
                    \(bind: ArticleFormatter.fromHeader(displayName: author.displayName, username: author.username, domain: domain)),
                    \(bind: author.displayName), \(bind: subject), \(bind: groupNames.joined(separator: ",")),
                    \(bind: references.joined(separator: " ")), \(bind: parentID), \(bind: threadID), \(bind: body),
                    \(bind: extraHeaders), \(bind: now), 0, \(bind: Self.lineCount(body)), \(bind: status.rawValue))
                """).run()
            try await SearchDocuments.article(id: id, authorName: author.displayName, subject: subject, body: body, db: db)
            if status == .published {
                try await publish(articleID: id, groups: groups, db: db)
            }
            for group in awaiting {
                try await db.raw("INSERT INTO article_approvals (article_id, group_id) VALUES (\(bind: id), \(bind: group.id))").run()
            }
            let article = try await Self.article(id: id, db: db)!
            return status == .published ? .published(article) : .queued(article)
        }
    }

    /// Gives the article its numbers (never reused: each group's high-water mark only grows), its thread
    /// entries and its byte count.
    func publishApproved(articleID: Int64, groups: [Newsgroup], db: any SQLDatabase) async throws {
        try await publish(articleID: articleID, groups: groups, db: db)
    }

    private func publish(articleID: Int64, groups: [Newsgroup], db: any SQLDatabase) async throws {
        var xref: [(group: String, number: Int64)] = []
        guard let article = try await Self.article(id: articleID, db: db) else { return }
        for group in groups {
            let number = try await db.raw("""
                UPDATE newsgroups SET high = high + 1, article_count = article_count + 1 WHERE id = \(bind: group.id) RETURNING high
                """).first()!.decode(column: "high", as: Int64.self)
            try await db.raw("INSERT INTO group_articles (group_id, number, article_id) VALUES (\(bind: group.id), \(bind: number), \(bind: articleID))").run()
            xref.append((group.name, number))
            let root = article.threadID == article.id
            try await db.raw("""
                INSERT INTO news_threads (group_id, thread_id, subject, author_name, last_number, last_posted_at, article_count)
                VALUES (\(bind: group.id), \(bind: article.threadID), \(bind: article.subject), \(bind: article.authorName), \(bind: number),
                    \(bind: article.postedAt), 1)
                ON CONFLICT (group_id, thread_id) DO UPDATE SET last_number = excluded.last_number,
                    last_posted_at = excluded.last_posted_at, article_count = news_threads.article_count + 1
                    \(unsafeRaw: root ? ", subject = excluded.subject, author_name = excluded.author_name" : "")
                """).run()
        }
        let bytes = ArticleFormatter.byteCount(article, xref: xref, domain: domain)
        try await db.raw("UPDATE articles SET bytes = \(bind: bytes), status = 'published' WHERE id = \(bind: articleID)").run()
        let overview = ArticleFormatter.overviewFields(article, bytes: bytes, xref: xref.sorted { $0.group < $1.group }, domain: domain)
        try await db.raw("UPDATE group_articles SET overview = \(bind: overview) WHERE article_id = \(bind: articleID)").run()
    }

    /// The body with LF line ends, no control characters but tab, and no trailing empty lines. A body that
    /// needs nothing but the trailing trim (the usual case) is checked byte by byte and not rebuilt.
    static func cleanBody(_ body: String) -> String {
        var text = needsCleaning(body) ? cleanedScalars(body) : body
        while text.utf8.last == UInt8(ascii: "\n") { text.removeLast() }
        return text
    }

    /// Whether the body holds a CR or a control character (C0 but tab and LF, DEL, or C1, which UTF-8
    /// encodes as C2 80…C2 9F).
    private static func needsCleaning(_ body: String) -> Bool {
        var previous: UInt8 = 0
        for byte in body.utf8 {
            if byte < 0x20 && byte != 0x0A && byte != 0x09 { return true }
            if byte == 0x7F || (previous == 0xC2 && byte >= 0x80 && byte <= 0x9F) { return true }
            previous = byte
        }
        return false
    }

    private static func cleanedScalars(_ body: String) -> String {
        let unified = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        let scalars = unified.unicodeScalars.filter { scalar in
            scalar == "\n" || scalar == "\t" || !(scalar.properties.generalCategory == .control)
        }
        return String(String.UnicodeScalarView(scalars))
    }

    static func lineCount(_ body: String) -> Int {
        body.isEmpty ? 0 : body.utf8.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
    }

    // MARK: Reading

    static func article(id: Int64, db: any SQLDatabase) async throws -> Article? {
        try await db.raw("SELECT \(unsafeRaw: ArticleRow.columns) FROM articles a WHERE a.id = \(bind: id)").first().map(ArticleRow.decode)
    }

    /// A published article by message-id.
    public func article(messageID: String) async throws -> Article? {
        try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: ArticleRow.columns) FROM articles a WHERE a.message_id = \(bind: messageID) AND a.status = 'published'")
                .first().map(ArticleRow.decode)
        }
    }

    public func article(id: Int64) async throws -> Article? {
        try await database.read { db in try await Self.article(id: id, db: db) }
    }

    /// Where an article sits in every group (for Xref).
    public func xref(articleID: Int64) async throws -> [(group: String, number: Int64)] {
        try await database.read { db in try await Self.xref(articleID: articleID, db: db) }
    }

    static func xref(articleID: Int64, db: any SQLDatabase) async throws -> [(group: String, number: Int64)] {
        try await db.raw("""
            SELECT g.name, ga.number FROM group_articles ga JOIN newsgroups g ON g.id = ga.group_id
            WHERE ga.article_id = \(bind: articleID) ORDER BY g.name
            """).all().map { (try $0.decode(column: "name", as: String.self), try $0.decode(column: "number", as: Int64.self)) }
    }

    /// The article numbered `number` in `group`.
    public func article(in group: Newsgroup, number: Int64) async throws -> NumberedArticle? {
        try await articles(in: group, from: number, to: number, limit: 1).first
    }

    /// Articles numbered `from`...`to` in `group`, in number order, with their Xref. This is the overview:
    /// every field OVER sends is a column, read through the (group_id, number) primary key.
    public func articles(in group: Newsgroup, from low: Int64, to high: Int64, limit: Int) async throws -> [NumberedArticle] {
        try await database.read { db in
            let rows = try await db.raw("""
                SELECT ga.number, \(unsafeRaw: ArticleRow.columns) FROM group_articles ga JOIN articles a ON a.id = ga.article_id
                WHERE ga.group_id = \(bind: group.id) AND ga.number >= \(bind: low) AND ga.number <= \(bind: high)
                ORDER BY ga.number LIMIT \(bind: limit)
                """).all()
            let articles = try rows.map { (try $0.decode(column: "number", as: Int64.self), try ArticleRow.decode($0)) }
            let crossposted = articles.filter { $0.1.newsgroups.utf8.contains(UInt8(ascii: ",")) }.map(\.1.id)
            var xrefs: [Int64: [(group: String, number: Int64)]] = [:]
            for id in crossposted { xrefs[id] = try await Self.xref(articleID: id, db: db) }
            return articles.map { number, article in
                NumberedArticle(number: number, article: article, xref: xrefs[article.id] ?? [(group.name, number)])
            }
        }
    }

    /// Article numbers present in a range (LISTGROUP, NEXT, LAST).
    public func numbers(in group: Newsgroup, from low: Int64, to high: Int64, limit: Int) async throws -> [Int64] {
        try await database.read { db in
            try await db.raw("""
                SELECT number FROM group_articles WHERE group_id = \(bind: group.id) AND number >= \(bind: low) AND number <= \(bind: high)
                ORDER BY number LIMIT \(bind: limit)
                """).all().map { try $0.decode(column: "number", as: Int64.self) }
        }
    }

    /// The nearest present number after (or before) `number`.
    public func adjacentNumber(in group: Newsgroup, from number: Int64, forward: Bool) async throws -> Int64? {
        try await database.read { db in
            let query: SQLQueryString = forward
                ? "SELECT MIN(number) AS n FROM group_articles WHERE group_id = \(bind: group.id) AND number > \(bind: number)"
                : "SELECT MAX(number) AS n FROM group_articles WHERE group_id = \(bind: group.id) AND number < \(bind: number)"
            return try await db.raw(query).first()?.decode(column: "n", as: Int64?.self)
        }
    }

    /// Message-ids of articles posted since `since` in groups `matching` (NEWNEWS).
    public func messageIDs(postedSince since: Int64, inGroups matching: @Sendable (String) -> Bool, limit: Int) async throws -> [String] {
        let groupIDs = try await groups().filter { matching($0.name) }.map(\.id)
        guard !groupIDs.isEmpty else { return [] }
        return try await database.read { db in
            let list = SQLList(groupIDs.map { SQLBind($0) })
            return try await db.raw("""
                SELECT DISTINCT a.message_id, a.id FROM group_articles ga JOIN articles a ON a.id = ga.article_id
                WHERE ga.group_id IN (\(list)) AND a.posted_at >= \(bind: since) ORDER BY a.id LIMIT \(bind: limit)
                """).all().map { try $0.decode(column: "message_id", as: String.self) }
        }
    }
}

/// Message-id syntax (RFC 5536 §3.1.3, as RFC 3977 limits it): `<left@right>`, printable ASCII, ≤ 250 octets.
public enum ArticleIDs {
    public static func isValid(_ id: String) -> Bool {
        guard id.utf8.count >= 5, id.utf8.count <= 250, id.hasPrefix("<"), id.hasSuffix(">") else { return false }
        let inner = id.dropFirst().dropLast()
        guard inner.contains("@"), !inner.hasPrefix("@"), !inner.hasSuffix("@") else { return false }
        return inner.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "<" && $0 != ">" }
    }
}

import Foundation
