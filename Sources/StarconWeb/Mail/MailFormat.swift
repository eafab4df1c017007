import Foundation
import StarconCore

/// How mail's texts are shown: names from address headers, folder names in the viewer's language, sizes,
/// and plain text made into escaped HTML with its links clickable.
enum MailFormat {
    /// `Kim <kim@x>` → `Kim`; `kim@x` → `kim@x`; a list → its first name and the count of the others.
    static func displayName(_ header: String) -> String {
        let first = addresses(header).first ?? header
        if let open = first.lastIndex(of: "<") {
            let name = first[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            if !name.isEmpty { return name }
            return address(first)
        }
        return first.trimmingCharacters(in: .whitespaces)
    }

    /// The bare address of `Name <a@b>` (or the text itself when it has no angle brackets).
    static func address(_ mailbox: String) -> String {
        guard let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close else {
            return mailbox.trimmingCharacters(in: .whitespaces)
        }
        return String(mailbox[mailbox.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
    }

    /// `Kim <k@x>, l@y` → `k@x, l@y`: what an `<input type="email" multiple>` takes.
    static func bare(_ header: String) -> String {
        addresses(header).map(address).joined(separator: ", ")
    }

    /// An address list split at commas outside quotes and angle brackets.
    static func addresses(_ header: String) -> [String] {
        var result: [String] = [], current = "", quoted = false, angle = false
        for character in header {
            switch character {
            case "\"": quoted.toggle(); current.append(character)
            case "<" where !quoted: angle = true; current.append(character)
            case ">" where !quoted: angle = false; current.append(character)
            case ",", ";":
                if quoted || angle { current.append(character) } else {
                    let trimmed = current.trimmingCharacters(in: .whitespaces)
                    if !trimmed.isEmpty { result.append(trimmed) }
                    current = ""
                }
            default: current.append(character)
            }
        }
        let trimmed = current.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty { result.append(trimmed) }
        return result
    }

    /// A folder's name as the member reads it: the special ones in their language.
    static func folderName(_ mailbox: Mailbox, _ t: Catalogue) -> String {
        mailbox.role.map { t.text("mail_folder_\($0.rawValue)") } ?? mailbox.name
    }

    /// Special folders first (INBOX, Drafts, Sent, Junk, Trash), then the member's own by name.
    static func ordered(_ mailboxes: [Mailbox]) -> [Mailbox] {
        let order: [MailboxRole] = [.inbox, .drafts, .sent, .junk, .trash]
        return mailboxes.sorted { a, b in
            let ra = a.role.flatMap { order.firstIndex(of: $0) } ?? order.count
            let rb = b.role.flatMap { order.firstIndex(of: $0) } ?? order.count
            return ra != rb ? ra < rb : a.name.localizedStandardCompare(b.name) == .orderedAscending
        }
    }

    static func size(_ bytes: Int, _ t: Catalogue, _ formatter: Formatters) -> String {
        if bytes < 1024 { return t.text("mail_size_bytes", ["size": formatter.number(bytes)]) }
        if bytes < 1024 * 1024 { return t.text("mail_size_kb", ["size": formatter.number((bytes + 1023) / 1024)]) }
        let tenths = (bytes * 10 + 1024 * 1024 - 1) / (1024 * 1024)
        return t.text("mail_size_mb", ["size": "\(tenths / 10).\(tenths % 10)"])
    }

    /// Plain text as HTML: every character escaped, `http(s)://` and `mailto:` links made links (opened
    /// without a referrer), quoted lines (`>`) marked.
    static func textHTML(_ text: String) -> String {
        var html = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            let quoted = line.hasPrefix(">")
            if quoted { html += "<span class=\"quote\">" }
            html += linkified(String(line))
            if quoted { html += "</span>" }
            html += "\n"
        }
        return html
    }

    static func linkified(_ line: String) -> String {
        var out = "", rest = Substring(line)
        while let start = firstLink(in: rest) {
            out += HTML.escape(String(rest[..<start]))
            var end = rest[start...].firstIndex(where: { $0.isWhitespace || "<>\"".contains($0) }) ?? rest.endIndex
            // A sentence's closing punctuation is not part of the link.
            while end > start, ".,;:!?)]'".contains(rest[rest.index(before: end)]) { end = rest.index(before: end) }
            let url = String(rest[start..<end])
            out += "<a href=\"\(HTML.escape(url))\" rel=\"noopener noreferrer nofollow\">\(HTML.escape(url))</a>"
            rest = rest[end...]
        }
        return out + HTML.escape(String(rest))
    }

    private static func firstLink(in text: Substring) -> Substring.Index? {
        var best: Substring.Index?
        for scheme in ["https://", "http://", "mailto:"] {
            if let range = text.range(of: scheme, options: .caseInsensitive), best.map({ range.lowerBound < $0 }) ?? true {
                // Only a link with something after its scheme.
                if text[range.upperBound...].first.map({ !$0.isWhitespace }) ?? false { best = range.lowerBound }
            }
        }
        return best
    }

    /// `Re: ` once (not `Re: Re: `).
    static func replySubject(_ subject: String) -> String {
        subject.lowercased().hasPrefix("re:") ? subject : "Re: " + subject
    }

    static func forwardSubject(_ subject: String) -> String {
        subject.lowercased().hasPrefix("fwd:") ? subject : "Fwd: " + subject
    }
}
