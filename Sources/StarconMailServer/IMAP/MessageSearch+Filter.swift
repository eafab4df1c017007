import StarconCore
import StarconIMAP

extension MessageSearch {
    /// The keys as a store filter that lets through at least every entry `matches` accepts: flags, sizes,
    /// dates, UIDs and texts go to SQL and the text index; keys that depend on the session (sequence numbers,
    /// \Recent) or on header fields the store does not keep (BCC, HEADER, keywords) let everything through.
    static func filter(_ key: SearchKey, largestUID: UInt32) -> MailSearchFilter {
        switch key {
        case .all: .all
        case .answered: .flag(.answered, true)
        case .deleted: .flag(.deleted, true)
        case .draft: .flag(.draft, true)
        case .flagged: .flag(.flagged, true)
        case .seen: .flag(.seen, true)
        case .unanswered: .flag(.answered, false)
        case .undeleted: .flag(.deleted, false)
        case .undraft: .flag(.draft, false)
        case .unflagged: .flag(.flagged, false)
        case .unseen: .flag(.seen, false)
        case .recent, .new, .old, .sequence, .keyword, .unkeyword, .bcc, .header, .modseq: .unknown
        case .from(let text): .field(.from, text)
        case .to(let text): .field(.to, text)
        case .cc(let text): .field(.cc, text)
        case .subject(let text): .field(.subject, text)
        case .body(let text): .body(text)
        case .text(let text): .text(text)
        case .before(let date): .received(.before, day: day(date))
        case .on(let date): .received(.on, day: day(date))
        case .since(let date): .received(.since, day: day(date))
        case .sentBefore(let date): .sent(.before, day: day(date))
        case .sentOn(let date): .sent(.on, day: day(date))
        case .sentSince(let date): .sent(.since, day: day(date))
        case .larger(let size): .larger(size)
        case .smaller(let size): .smaller(size)
        case .uid(let set): .uids(uidRanges(set, largest: largestUID))
        case .not(let inner): .not(filter(inner, largestUID: largestUID))
        case .or(let a, let b): .or(filter(a, largestUID: largestUID), filter(b, largestUID: largestUID))
        case .and(let keys): .and(keys.map { filter($0, largestUID: largestUID) })
        }
    }

    /// A UID set as ranges, `*` the mailbox's largest UID, resolved as `SequenceSet.contains` does.
    static func uidRanges(_ set: SequenceSet, largest: UInt32) -> MailUIDSet {
        set.ranges.map { range in
            let resolved = range.resolved(largest: largest)
            return Int64(resolved.lowerBound)...Int64(resolved.upperBound)
        }
    }
}
