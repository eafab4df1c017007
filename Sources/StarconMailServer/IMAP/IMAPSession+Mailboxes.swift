import StarconCore
import StarconIMAP

extension IMAPSession {
    static let systemFlags = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"]

    /// The member's mailbox of that name; a NO [NONEXISTENT] (or [TRYCREATE] for a destination) is the caller's.
    func mailbox(named name: String) async throws -> Mailbox? {
        try await core.mail.mailbox(named: name, of: member!)
    }

    func noSuchMailbox(_ tag: String, tryCreate: Bool = false) async throws {
        try await write(Response.tagged(tag, .no, code: tryCreate ? .tryCreate : .atom("NONEXISTENT"), "no such mailbox"))
    }

    // MARK: SELECT, EXAMINE

    func select(_ name: String, readOnly: Bool, tag: String) async throws {
        if selection != nil {
            state = .authenticated
            try await write(Response.untagged(.ok, code: .closed, "previous mailbox closed"))
        }
        guard let mailbox = try await mailbox(named: name) else { return try await noSuchMailbox(tag) }
        let account = member!
        // The mailbox (and its modseq) is read before its entries, so a change in between is read again later.
        let recentFrom = readOnly ? Int64.max : try await core.mail.claimRecent(mailboxID: mailbox.id, of: account)
        let entries = try await core.mail.entries(mailboxID: mailbox.id, of: account)
        let index = MessageIndex(uids: entries.map { UInt32($0.uid) })
        let recent = readOnly ? try await core.mail.status(mailboxID: mailbox.id, of: account).recent : entries.count { $0.uid >= recentFrom }
        selectedChanged = false
        state = .selected(Selection(mailbox: mailbox, readOnly: readOnly, index: index, modseq: mailbox.highestModseq, recentFrom: recentFrom))
        var out = Response.flags(Self.systemFlags)
        out += Response.untagged(.ok, code: .permanentFlags(readOnly ? [] : Self.systemFlags + ["\\*"]), "flags permitted")
        out += Response.exists(index.count)
        out += Response.recent(recent)
        if let first = entries.firstIndex(where: { !$0.flags.contains(.seen) }) {
            out += Response.untagged(.ok, code: .unseen(UInt32(first + 1)), "first unseen")
        }
        out += Response.untagged(.ok, code: .uidValidity(UInt32(truncatingIfNeeded: mailbox.uidValidity)), "UIDs valid")
        out += Response.untagged(.ok, code: .uidNext(UInt32(truncatingIfNeeded: mailbox.uidNext)), "predicted next UID")
        if condStore { out += Response.untagged(.ok, code: .highestModseq(mailbox.highestModseq), "highest modseq") }
        out += Response.tagged(tag, .ok, code: readOnly ? .readOnly : .readWrite, "\(readOnly ? "EXAMINE" : "SELECT") completed")
        try await write(out)
    }

    // MARK: CREATE, DELETE, RENAME, SUBSCRIBE

    func create(_ name: String, tag: String) async throws {
        // RFC 3501 §6.3.3: a trailing delimiter only says the mailbox will have children.
        var name = name
        while name.count > 1, name.last == Mailbox.delimiter { name.removeLast() }
        if name.uppercased() == "INBOX" {
            return try await write(Response.tagged(tag, .no, code: .atom("ALREADYEXISTS"), "INBOX always exists"))
        }
        // Missing superior levels are made too (§6.3.3).
        let levels = name.split(separator: Mailbox.delimiter, omittingEmptySubsequences: false)
        for depth in stride(from: 1, to: levels.count, by: 1) {
            let parent = levels[..<depth].joined(separator: String(Mailbox.delimiter))
            if try await mailbox(named: parent) == nil, (try? MailRules.normalizedName(parent)) != nil {
                _ = try await core.mail.createMailbox(named: parent, of: member!)
            }
        }
        _ = try await core.mail.createMailbox(named: name, of: member!)
        try await write(Response.tagged(tag, .ok, "CREATE completed"))
    }

    func delete(_ name: String, tag: String) async throws {
        guard let mailbox = try await mailbox(named: name) else { return try await noSuchMailbox(tag) }
        if selection?.mailbox.id == mailbox.id { state = .authenticated }
        try await core.mail.deleteMailbox(id: mailbox.id, of: member!)
        try await write(Response.tagged(tag, .ok, "DELETE completed"))
    }

    func rename(_ from: String, to: String, tag: String) async throws {
        guard let mailbox = try await mailbox(named: from) else { return try await noSuchMailbox(tag) }
        _ = try await core.mail.renameMailbox(id: mailbox.id, to: to, of: member!)
        try await write(Response.tagged(tag, .ok, "RENAME completed"))
    }

    func subscribe(_ name: String, _ subscribed: Bool, tag: String) async throws {
        guard let mailbox = try await mailbox(named: name) else { return try await noSuchMailbox(tag) }
        try await core.mail.setSubscribed(id: mailbox.id, subscribed, of: member!)
        try await write(Response.tagged(tag, .ok, "\(subscribed ? "SUBSCRIBE" : "UNSUBSCRIBE") completed"))
    }

    // MARK: LIST, LSUB

    /// LIST with RFC 6154's special-use attributes; levels that only exist as parents show as \Noselect
    /// (LIST) so a client can walk the tree with `%`.
    func list(reference: String, pattern: String, subscribedOnly: Bool, tag: String) async throws {
        let command = subscribedOnly ? "LSUB" : "LIST"
        if pattern.isEmpty {
            // RFC 3501 §6.3.8: the hierarchy delimiter and the root of the reference.
            let root = reference.split(separator: Mailbox.delimiter).first.map(String.init) ?? ""
            try await write(Response.list(command, attributes: ["\\Noselect"], delimiter: Mailbox.delimiter, name: root)
                            + Response.tagged(tag, .ok, "\(command) completed"))
            return
        }
        let boxes = try await core.mail.mailboxes(of: member!)
        let names = Set(boxes.map(\.name))
        let matcher = MailboxPattern(reference: reference, pattern: pattern, delimiter: Mailbox.delimiter)
        var out: [UInt8] = []
        var parents = Set<String>()
        for box in boxes {
            let levels = box.name.split(separator: Mailbox.delimiter)
            for depth in stride(from: 1, to: levels.count, by: 1) {
                parents.insert(levels[..<depth].joined(separator: String(Mailbox.delimiter)))
            }
        }
        var rows: [(String, [String])] = []
        for box in boxes where (!subscribedOnly || box.subscribed) && matcher.matches(box.name) {
            var attributes = [parents.contains(box.name) ? "\\HasChildren" : "\\HasNoChildren"]
            if let special = box.role?.specialUse { attributes.append(special) }
            rows.append((box.name, attributes))
        }
        for parent in parents where !names.contains(parent) && matcher.matches(parent) {
            rows.append((parent, ["\\Noselect", "\\HasChildren"]))
        }
        for (name, attributes) in rows.sorted(by: { ($0.0 == "INBOX" ? 0 : 1, $0.0) < ($1.0 == "INBOX" ? 0 : 1, $1.0) }) {
            out += Response.list(command, attributes: attributes, delimiter: Mailbox.delimiter, name: name)
        }
        try await write(out + Response.tagged(tag, .ok, "\(command) completed"))
    }

    // MARK: STATUS

    func status(_ name: String, _ attributes: [StatusAttribute], tag: String) async throws {
        guard let mailbox = try await mailbox(named: name) else { return try await noSuchMailbox(tag) }
        let status = try await core.mail.status(mailboxID: mailbox.id, of: member!)
        let values: [(StatusAttribute, UInt64)] = attributes.map { attribute in
            let value: Int64 = switch attribute {
            case .messages: Int64(status.messages)
            case .recent: Int64(status.recent)
            case .uidNext: Int64(UInt32(truncatingIfNeeded: status.uidNext))
            case .uidValidity: Int64(UInt32(truncatingIfNeeded: status.uidValidity))
            case .unseen: Int64(status.unseen)
            case .highestModseq: mailbox.highestModseq
            }
            return (attribute, UInt64(max(0, value)))
        }
        if attributes.contains(.highestModseq) { condStore = true }
        try await write(Response.status(mailbox.name, values) + Response.tagged(tag, .ok, "STATUS completed"))
    }

    // MARK: APPEND

    func append(_ message: [UInt8], to name: String, flags: [String], date: Int64?, tag: String) async throws {
        guard let mailbox = try await mailbox(named: name) else { return try await noSuchMailbox(tag, tryCreate: true) }
        let (system, keywords) = Self.split(flags)
        let (validity, uid) = try await core.mail.append(message, to: mailbox.id, flags: system, keywords: keywords,
                                                         internalDate: date, of: member!)
        if selection?.mailbox.id == mailbox.id { selectedChanged = true }
        try await sendUpdates()
        try await write(Response.tagged(tag, .ok, code: .appendUID(validity: UInt32(truncatingIfNeeded: validity), uid: UInt32(truncatingIfNeeded: uid)),
                                        "APPEND completed"))
    }

    /// IMAP flags as the store's system flags and keywords (\Recent is the session's, never stored).
    static func split(_ flags: [String]) -> (MailFlags, [String]) {
        var system = MailFlags(), keywords: [String] = []
        for flag in flags {
            if let known = MailFlags(imapName: flag) { system.insert(known) } else if !flag.hasPrefix("\\") { keywords.append(flag) }
        }
        return (system, keywords)
    }
}
