import StarconCore
import StarconIMAP

extension IMAPSession {
    /// A `.mailbox` event for one of the member's mailboxes (from any node). In IDLE the client hears at once
    /// what changed; otherwise it hears with its next command's reply.
    public func mailboxChanged(_ mailboxID: Int64?) async -> Next {
        guard let selection, mailboxID == nil || mailboxID == selection.mailbox.id else { return .carryOn }
        selectedChanged = true
        guard idleTag != nil else { return .carryOn }
        do {
            try await sendUpdates()
            return .carryOn
        } catch is ConnectionClosed {
            return .close
        } catch {
            return .carryOn
        }
    }

    /// Tells the client what changed in the selected mailbox since it was last told (RFC 3501 §7: EXISTS,
    /// EXPUNGE and FETCH FLAGS as untagged responses). `expunges` is false during FETCH, STORE and SEARCH by
    /// sequence number (§7.4.1: numbers must not shift under them); expunges then wait for a later command.
    func sendUpdates(force: Bool = false, expunges: Bool = true) async throws {
        guard var selection, force || selectedChanged else { return }
        let changes = try await core.mail.changes(mailboxID: selection.mailbox.id, since: selection.modseq, of: member!)
        let known = selection.index.largestUID
        let gone = changes.expunged.map { UInt32($0) }.filter { selection.index.sequence(of: $0) != nil }
        var out: [UInt8] = []
        if expunges {
            for number in selection.index.expunge(gone) { out += Response.expunge(number) }
        }
        let added = changes.changed.map { UInt32($0.uid) }.filter { $0 > known }
        if !added.isEmpty {
            out += Response.exists(selection.index.append(added))
            if !selection.readOnly { out += Response.recent(selection.index.uids.count { Int64($0) >= selection.recentFrom }) }
        }
        for entry in changes.changed where UInt32(entry.uid) <= known {
            guard let number = selection.index.sequence(of: UInt32(entry.uid)) else { continue }
            var items: [FetchItem] = [.uid(UInt32(entry.uid)), .flags(flags(of: entry, in: selection))]
            if condStore { items.append(.modseq(entry.modseq)) }
            out += Response.fetch(number, items)
        }
        let held = !expunges && !gone.isEmpty
        if !held { selection.modseq = max(selection.modseq, changes.highestModseq) }
        selectedChanged = held
        state = .selected(selection)
        if !out.isEmpty { try await write(out) }
    }

    /// The flags a FETCH shows: system flags, keywords, and \Recent for this session's recent messages.
    func flags(of entry: MailEntry, in selection: Selection) -> [String] {
        var names = entry.flags.imapNames + entry.keywords
        if entry.uid >= selection.recentFrom { names.append("\\Recent") }
        return names
    }
}
