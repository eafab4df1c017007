import StarconCore
import StarconIMAP
import StarconMIME

extension IMAPSession {
    /// Messages read from the store per round trip in a FETCH, so `1:*` of a large mailbox never holds every
    /// message in memory at once and the client gets the first replies early.
    static let fetchChunk = 100
    /// The same when only headers and flags are read (a few KB a message): fewer round trips for `1:*`.
    static let headerFetchChunk = 1_000

    // MARK: FETCH

    func fetch(_ set: SequenceSet, _ attributes: [FetchAttribute], uid: Bool, changedSince: Int64? = nil, tag: String) async throws {
        guard let selection else { return }
        let account = member!
        if attributes.contains(.modseq) { condStore = true }
        let uids = selection.index.resolve(set, byUID: uid)
        let wantsEnvelope = attributes.contains(.envelope), wantsStructure = attributes.contains(.bodyStructure)
        let marksSeen = !selection.readOnly && attributes.contains { attribute in
            switch attribute {
            case .rfc822, .rfc822Text: true
            case .section(_, let peek, _): !peek
            default: false
            }
        }
        let chunkSize = attributes.contains(where: { Self.needsBody($0, stored: true) }) ? Self.fetchChunk : Self.headerFetchChunk
        for start in stride(from: 0, to: uids.count, by: chunkSize) {
            let chunk = Self.ranges(Array(uids[start..<min(uids.count, start + chunkSize)]))
            var entries = try await core.mail.entries(mailboxID: selection.mailbox.id, uids: chunk, of: account)
            if let changedSince { entries = entries.filter { $0.modseq > changedSince } }
            if entries.isEmpty { continue }
            let stored = StoredItems(
                envelopes: wantsEnvelope ? try await core.mail.encodedEnvelopes(mailboxID: selection.mailbox.id, uids: chunk, of: account) : [:],
                structures: wantsStructure ? try await core.mail.encodedBodyStructures(mailboxID: selection.mailbox.id, uids: chunk, of: account) : [:])
            // Messages stored before ENVELOPE and BODYSTRUCTURE were kept have them built from their bytes.
            let complete = entries.allSatisfy { (!wantsEnvelope || stored.envelopes[$0.uid] != nil) && (!wantsStructure || stored.structures[$0.uid] != nil) }
            let needsBody = attributes.contains { Self.needsBody($0, stored: complete) }
            let needsHeader = attributes.contains { Self.needsHeader($0, stored: complete) }
            let bytes = needsBody ? try await core.mail.raw(mailboxID: selection.mailbox.id, uids: chunk, of: account)
                : needsHeader ? try await core.mail.headers(mailboxID: selection.mailbox.id, uids: chunk, of: account) : [:]
            var newlySeen = Set<Int64>()
            if marksSeen {
                let unseen = entries.filter { !$0.flags.contains(.seen) }.map { UInt32($0.uid) }
                if !unseen.isEmpty {
                    let (changed, _) = try await core.mail.store(mailboxID: selection.mailbox.id, uids: Self.ranges(unseen), flags: .seen,
                                                                 .add, of: account)
                    let byUID = Dictionary(changed.map { ($0.uid, $0) }, uniquingKeysWith: { a, _ in a })
                    entries = entries.map { byUID[$0.uid] ?? $0 }
                    newlySeen = Set(changed.map(\.uid))
                }
            }
            var out: [UInt8] = []
            for entry in entries {
                guard let number = selection.index.sequence(of: UInt32(entry.uid)) else { continue }
                // Parsed only when an item needs the MIME tree: BODY[] and RFC822 are the stored bytes as they are.
                let raw = bytes[entry.uid] ?? []
                var parsed: MIMEEntity?
                let message = { () -> MIMEEntity in
                    if let parsed { return parsed }
                    let entity = MIMEParser.parse(raw)
                    parsed = entity
                    return entity
                }
                var items = attributes.compactMap { item(for: $0, entry: entry, raw: raw, message: message, stored: stored, in: selection) }
                if newlySeen.contains(entry.uid) {
                    if !attributes.contains(.flags) { items.append(.flags(flags(of: entry, in: selection))) }
                    if condStore, !attributes.contains(.modseq) { items.append(.modseq(entry.modseq)) }
                }
                out += Response.fetch(number, items)
            }
            try await write(out)
        }
        try await sendUpdates(expunges: uid)
        try await write(Response.tagged(tag, .ok, "\(uid ? "UID " : "")FETCH completed"))
    }

    /// ENVELOPE and BODYSTRUCTURE values read from the store for one FETCH chunk, by uid.
    struct StoredItems {
        var envelopes: [Int64: [UInt8]]
        var structures: [Int64: [UInt8]]
    }

    /// Whether the item needs the message's bytes; with `stored`, BODYSTRUCTURE comes from the store.
    static func needsBody(_ attribute: FetchAttribute, stored: Bool) -> Bool {
        switch attribute {
        case .rfc822, .rfc822Text, .body: true
        case .bodyStructure: !stored
        case .section(let spec, _, _):
            switch spec.text {
            case .header, .headerFields, .headerFieldsNot: !spec.part.isEmpty
            default: true
            }
        default: false
        }
    }

    /// Whether the item needs the message's header; with `stored`, ENVELOPE comes from the store.
    static func needsHeader(_ attribute: FetchAttribute, stored: Bool) -> Bool {
        switch attribute {
        case .envelope: !stored
        case .rfc822Header, .section: true
        default: false
        }
    }

    func item(for attribute: FetchAttribute, entry: MailEntry, raw: [UInt8], message: () -> MIMEEntity, stored: StoredItems,
              in selection: Selection) -> FetchItem? {
        switch attribute {
        case .uid: return .uid(UInt32(entry.uid))
        case .flags: return .flags(flags(of: entry, in: selection))
        case .internalDate: return .internalDate(entry.internalDate)
        case .rfc822Size: return .rfc822Size(entry.size)
        case .modseq: return .modseq(entry.modseq)
        case .envelope:
            if let value = stored.envelopes[entry.uid] { return .encoded(name: "ENVELOPE", value: value) }
            return .envelope(EnvelopeBuilder.envelope(message().header))
        case .body: return .bodyStructure(EnvelopeBuilder.structure(message()), extensible: false)
        case .bodyStructure:
            if let value = stored.structures[entry.uid] { return .encoded(name: "BODYSTRUCTURE", value: value) }
            return .bodyStructure(EnvelopeBuilder.structure(message()), extensible: true)
        case .rfc822: return .section(name: "RFC822", origin: nil, data: raw)
        case .rfc822Header: return .section(name: "RFC822.HEADER", origin: nil, data: Array(message().headerBytes))
        case .rfc822Text: return .section(name: "RFC822.TEXT", origin: nil, data: Array(message().bodyBytes))
        case .section(let spec, _, let partial):
            let whole = spec.part.isEmpty && spec.text == .whole
            let data = MessageSections.partial(whole ? raw : MessageSections.bytes(spec, of: message()), partial)
            return .section(name: "BODY[\(spec.description)]", origin: partial?.offset, data: data)
        }
    }

    // MARK: STORE

    func store(_ set: SequenceSet, _ action: StoreAction, uid: Bool, tag: String) async throws {
        guard let selection else { return }
        guard !selection.readOnly else { _ = try await readOnly(tag); return }
        let uids = selection.index.resolve(set, byUID: uid)
        if action.unchangedSince != nil { condStore = true }
        let (system, keywords) = Self.split(action.flags)
        let change: FlagChange = switch action.mode {
        case .replace: .replace
        case .add: .add
        case .remove: .remove
        }
        var out: [UInt8] = []
        var refused: [Int64] = []
        if !uids.isEmpty {
            let (changed, failed) = try await core.mail.store(mailboxID: selection.mailbox.id, uids: Self.ranges(uids), flags: system,
                                                              keywords: keywords, change, unchangedSince: action.unchangedSince, of: member!)
            refused = failed
            for entry in changed {
                guard let number = selection.index.sequence(of: UInt32(entry.uid)) else { continue }
                // RFC 7162 §3.2: with CONDSTORE on, a changed message is reported with its MODSEQ even for .SILENT.
                var items: [FetchItem] = []
                if uid { items.append(.uid(UInt32(entry.uid))) }
                if !action.silent { items.append(.flags(flags(of: entry, in: selection))) }
                if condStore { items.append(.modseq(entry.modseq)) }
                if !action.silent || condStore { out += Response.fetch(number, items) }
            }
        }
        try await write(out)
        try await sendUpdates(expunges: uid)
        // MODIFIED names what failed UNCHANGEDSINCE, as UIDs for UID STORE and as numbers otherwise.
        let failed = refused.compactMap { uid ? UInt32($0) : selection.index.sequence(of: UInt32($0)).map(UInt32.init) }.sorted()
        let code: ResponseCode? = failed.isEmpty ? nil : .modified(SequenceSet.compact(failed))
        try await write(Response.tagged(tag, .ok, code: code, "\(uid ? "UID " : "")STORE completed"))
    }

    // MARK: COPY, MOVE

    func copy(_ set: SequenceSet, to name: String, uid: Bool, move: Bool, tag: String) async throws {
        guard var selection else { return }
        let verb = (uid ? "UID " : "") + (move ? "MOVE" : "COPY")
        if move, selection.readOnly { _ = try await readOnly(tag); return }
        guard let destination = try await mailbox(named: name) else { return try await noSuchMailbox(tag, tryCreate: true) }
        let uids = selection.index.resolve(set, byUID: uid)
        guard !uids.isEmpty else { return try await write(Response.tagged(tag, .ok, "\(verb) completed (nothing to do)")) }
        let ranges = Self.ranges(uids)
        let result = move ? try await core.mail.move(mailboxID: selection.mailbox.id, uids: ranges, to: destination.id, of: member!)
            : try await core.mail.copy(mailboxID: selection.mailbox.id, uids: ranges, to: destination.id, of: member!)
        let code: ResponseCode? = result.sourceUIDs.isEmpty ? nil : .copyUID(
            validity: UInt32(truncatingIfNeeded: result.uidValidity),
            source: SequenceSet.compact(result.sourceUIDs.map { UInt32($0) }),
            destination: SequenceSet.compact(result.destinationUIDs.map { UInt32($0) }))
        guard move else {
            try await sendUpdates(expunges: uid)
            return try await write(Response.tagged(tag, .ok, code: code, "\(verb) completed"))
        }
        // RFC 6851 §4.3: COPYUID in an untagged OK before the EXPUNGEs.
        var out = code.map { Response.untagged(.ok, code: $0, "moved") } ?? []
        for number in selection.index.expunge(result.sourceUIDs.map { UInt32($0) }) { out += Response.expunge(number) }
        state = .selected(selection)
        try await write(out)
        try await sendUpdates()
        try await write(Response.tagged(tag, .ok, "\(verb) completed"))
    }

    // MARK: SEARCH

    func search(_ key: SearchKey, uid: Bool, tag: String) async throws {
        guard let selection else { return }
        let account = member!
        let filter = MessageSearch.filter(key, largestUID: selection.index.largestUID)
        let entries = try await core.mail.searchCandidates(mailboxID: selection.mailbox.id, filter: filter, of: account)
        let search = MessageSearch(key: key, index: selection.index, recentFrom: selection.recentFrom, now: core.clock.nowMilliseconds())
        var found: [UInt32] = []
        var highest: Int64 = 0
        for start in stride(from: 0, to: entries.count, by: Self.fetchChunk) {
            let chunk = Array(entries[start..<min(entries.count, start + Self.fetchChunk)])
            let raw = search.needsRaw
                ? try await core.mail.raw(mailboxID: selection.mailbox.id, uids: chunk.map { $0.uid...$0.uid }, of: account) : [:]
            for entry in chunk {
                guard let number = selection.index.sequence(of: UInt32(entry.uid)) else { continue }
                if search.matches(entry, sequence: number, raw: raw[entry.uid]) {
                    found.append(uid ? UInt32(entry.uid) : UInt32(number))
                    highest = max(highest, entry.modseq)
                }
            }
        }
        // RFC 7162 §3.1.5: with a MODSEQ key, the highest modseq of the messages found.
        if MessageSearch.usesModseq(key) { condStore = true }
        try await write(Response.search(found, modseq: MessageSearch.usesModseq(key) ? highest : nil))
        try await sendUpdates(expunges: uid)
        try await write(Response.tagged(tag, .ok, "\(uid ? "UID " : "")SEARCH completed"))
    }
}
