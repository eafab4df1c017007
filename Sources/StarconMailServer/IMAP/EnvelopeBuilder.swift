import StarconIMAP

/// ENVELOPE from a header (RFC 3501 §7.4.2): values as written, addresses split into name, mailbox and host.
enum EnvelopeBuilder {
    static func envelope(_ header: MessageHeader) -> Envelope {
        Envelope(date: header.value("Date"), subject: header.value("Subject"),
                 from: addresses(header.value("From")), sender: addresses(header.value("Sender")),
                 replyTo: addresses(header.value("Reply-To")), to: addresses(header.value("To")),
                 cc: addresses(header.value("Cc")), bcc: addresses(header.value("Bcc")),
                 inReplyTo: header.value("In-Reply-To"), messageID: header.value("Message-ID"))
    }

    /// An address list (RFC 5322 §3.4): `Name <box@host>`, `box@host (comment)`, `"Quoted, name" <…>`, and
    /// groups (`team: a@b, c@d;`), whose members are listed as plain addresses.
    static func addresses(_ value: String?) -> [Envelope.Address] {
        guard let value, !value.isEmpty else { return [] }
        var result: [Envelope.Address] = []
        for piece in split(value) {
            var text = piece.trimming([" ", "\t"])
            if let colon = topLevelIndex(of: ":", in: text) { text = String(text[text.index(after: colon)...]) }
            text = text.trimming([" ", "\t", ";"])
            guard !text.isEmpty else { continue }
            var name: String?
            var spec = text
            if let open = topLevelIndex(of: "<", in: text), let close = text[open...].firstIndex(of: ">") {
                spec = String(text[text.index(after: open)..<close])
                let display = unquote(String(text[..<open]).trimming([" ", "\t"]))
                name = display.isEmpty ? nil : display
            } else if let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close {
                let comment = String(text[text.index(after: open)..<close]).trimming([" "])
                name = comment.isEmpty ? nil : comment
                spec = String(text[..<open])
            }
            spec = spec.trimming([" ", "\t"])
            if let route = spec.lastIndex(of: ":") { spec = String(spec[spec.index(after: route)...]) }
            if let at = spec.lastIndex(of: "@") {
                result.append(.init(name: name, mailbox: String(spec[..<at]), host: String(spec[spec.index(after: at)...])))
            } else {
                result.append(.init(name: name, mailbox: spec, host: "MISSING_DOMAIN"))
            }
        }
        return result
    }

    /// Splits at commas outside quotes, angle brackets and comments.
    static func split(_ text: String) -> [String] {
        var pieces: [String] = [], current = ""
        var quoted = false, escaped = false, angle = 0, comment = 0
        for character in text {
            if escaped { escaped = false; current.append(character); continue }
            switch character {
            case "\\" where quoted || comment > 0: escaped = true
            case "\"" where comment == 0: quoted.toggle()
            case "<" where !quoted && comment == 0: angle += 1
            case ">" where !quoted && comment == 0: angle = max(0, angle - 1)
            case "(" where !quoted: comment += 1
            case ")" where !quoted: comment = max(0, comment - 1)
            case "," where !quoted && angle == 0 && comment == 0:
                pieces.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        pieces.append(current)
        return pieces
    }

    /// The first `character` outside quotes.
    static func topLevelIndex(of character: Character, in text: String) -> String.Index? {
        var quoted = false, escaped = false
        for index in text.indices {
            let c = text[index]
            if escaped { escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "\"" { quoted.toggle(); continue }
            if !quoted, c == character { return index }
        }
        return nil
    }

    static func unquote(_ text: String) -> String {
        guard text.count >= 2, text.first == "\"", text.last == "\"" else { return text }
        var out = "", escaped = false
        for c in text.dropFirst().dropLast() {
            if escaped { out.append(c); escaped = false } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }
}
