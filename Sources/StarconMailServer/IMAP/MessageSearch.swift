import Foundation
import StarconCore
import StarconIMAP
import StarconMIME

/// SEARCH keys (RFC 3501 §6.4.4) over the store's entries: the exact rules, applied to the candidates the store
/// finds (`filter`, `MailService.searchCandidates`). Addresses and subjects are the decoded summary columns (so a
/// word in an encoded-word subject is found); BODY is the text web mail's index keeps (`MailSearchText`: text
/// parts decoded, HTML without tags when there is no plain part, the first 64K characters, folded), TEXT that or
/// the header; BCC and HEADER read the message. Strings match as case-insensitive substrings, as the RFC asks.
struct MessageSearch {
    let key: SearchKey
    let index: MessageIndex
    let recentFrom: Int64
    let now: Int64
    let needsRaw: Bool

    init(key: SearchKey, index: MessageIndex, recentFrom: Int64, now: Int64) {
        self.key = key
        self.index = index
        self.recentFrom = recentFrom
        self.now = now
        needsRaw = Self.readsMessage(key)
    }

    static func readsMessage(_ key: SearchKey) -> Bool {
        switch key {
        case .bcc, .body, .text, .header: true
        case .not(let inner): readsMessage(inner)
        case .or(let a, let b): readsMessage(a) || readsMessage(b)
        case .and(let keys): keys.contains(where: readsMessage)
        default: false
        }
    }

    static func usesModseq(_ key: SearchKey) -> Bool {
        switch key {
        case .modseq: true
        case .not(let inner): usesModseq(inner)
        case .or(let a, let b): usesModseq(a) || usesModseq(b)
        case .and(let keys): keys.contains(where: usesModseq)
        default: false
        }
    }

    func matches(_ entry: MailEntry, sequence: Int, raw: [UInt8]?) -> Bool { matches(key, entry, sequence, raw) }

    private func matches(_ key: SearchKey, _ entry: MailEntry, _ sequence: Int, _ raw: [UInt8]?) -> Bool {
        let flags = entry.flags
        let recent = entry.uid >= recentFrom
        switch key {
        case .all: return true
        case .answered: return flags.contains(.answered)
        case .deleted: return flags.contains(.deleted)
        case .draft: return flags.contains(.draft)
        case .flagged: return flags.contains(.flagged)
        case .seen: return flags.contains(.seen)
        case .recent: return recent
        case .new: return recent && !flags.contains(.seen)
        case .old: return !recent
        case .unanswered: return !flags.contains(.answered)
        case .undeleted: return !flags.contains(.deleted)
        case .undraft: return !flags.contains(.draft)
        case .unflagged: return !flags.contains(.flagged)
        case .unseen: return !flags.contains(.seen)
        case .keyword(let word): return entry.keywords.contains { $0.lowercased() == word.lowercased() }
        case .unkeyword(let word): return !entry.keywords.contains { $0.lowercased() == word.lowercased() }
        case .from(let text): return Self.contains(entry.summary.from, text)
        case .to(let text): return Self.contains(entry.summary.to, text)
        case .cc(let text): return Self.contains(entry.summary.cc, text)
        case .subject(let text): return Self.contains(entry.summary.subject, text)
        case .bcc(let text): return raw.map { Self.contains(MIMEParser.parseHeader($0).header["Bcc"] ?? "", text) } ?? false
        case .header(let name, let text):
            guard let raw else { return false }
            if name.lowercased() == "subject" { return Self.contains(entry.summary.subject, text) }
            let fields = MIMEParser.parseHeader(raw).header.all(name)
            return !fields.isEmpty && (text.isEmpty || fields.contains { Self.contains($0.decodedValue, text) })
        case .body(let text):
            guard let raw else { return false }
            return Self.bodyContains(raw, text)
        case .text(let text):
            guard let raw else { return false }
            return Self.contains(String(decoding: raw.prefix(MailHeader(raw).size), as: UTF8.self), text)
                || Self.contains(entry.summary.subject, text) || Self.contains(entry.summary.from, text) || Self.bodyContains(raw, text)
        case .before(let date): return Self.day(entry.internalDate) < Self.day(date)
        case .on(let date): return Self.day(entry.internalDate) == Self.day(date)
        case .since(let date): return Self.day(entry.internalDate) >= Self.day(date)
        case .sentBefore(let date): return entry.summary.date.map { Self.day($0) < Self.day(date) } ?? false
        case .sentOn(let date): return entry.summary.date.map { Self.day($0) == Self.day(date) } ?? false
        case .sentSince(let date): return entry.summary.date.map { Self.day($0) >= Self.day(date) } ?? false
        case .larger(let size): return entry.size > size
        case .smaller(let size): return entry.size < size
        case .uid(let set): return set.contains(UInt32(entry.uid), largest: index.largestUID)
        case .sequence(let set): return set.contains(UInt32(sequence), largest: UInt32(index.count))
        case .modseq(let modseq): return entry.modseq >= modseq
        case .not(let inner): return !matches(inner, entry, sequence, raw)
        case .or(let a, let b): return matches(a, entry, sequence, raw) || matches(b, entry, sequence, raw)
        case .and(let keys): return keys.allSatisfy { matches($0, entry, sequence, raw) }
        }
    }

    /// The text parts as the index keeps them (transfer encoding and charset undone, folded), so the
    /// store's candidates always include every message this accepts.
    static func bodyContains(_ raw: [UInt8], _ needle: String) -> Bool {
        guard let query = TextSearchIndex.normalizedQuery(needle) else { return true }
        return TextSearchIndex.fold(MailSearchText.body(raw, headerSize: 0)).contains(query)
    }

    static func contains(_ haystack: String, _ needle: String) -> Bool {
        needle.isEmpty || haystack.range(of: needle, options: [.caseInsensitive]) != nil
    }

    static func day(_ milliseconds: Int64) -> Int { Int((milliseconds >= 0 ? milliseconds : milliseconds - 86_399_999) / 86_400_000) }
    static func day(_ date: SearchDate) -> Int { IMAPDate.daysFromCivil(year: date.year, month: date.month, day: date.day) }
}
