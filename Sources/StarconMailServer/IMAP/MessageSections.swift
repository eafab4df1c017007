import StarconIMAP
import StarconMIME

/// BODY[section] (RFC 3501 §6.4.5) on StarconMIME's entity tree: the octets a section specification names,
/// exactly as stored.
enum MessageSections {
    /// The section's octets; empty when the message has no such part (§6.4.5 lets the server answer so).
    static func bytes(_ spec: SectionSpec, of message: MIMEEntity) -> [UInt8] {
        guard !spec.part.isEmpty else { return text(spec.text, of: message, whole: message.raw[...]) }
        guard let part = message.part(spec.part) else { return [] }
        switch spec.text {
        case .whole: return Array(part.bodyBytes)
        case .mime: return Array(part.headerBytes)
        default:
            // Below the top, HEADER and TEXT name the message inside a message/rfc822 part.
            guard let inner = part.enclosedMessage else { return [] }
            return text(spec.text, of: inner, whole: inner.raw[inner.range])
        }
    }

    private static func text(_ text: SectionSpec.Text, of message: MIMEEntity, whole: ArraySlice<UInt8>) -> [UInt8] {
        switch text {
        case .whole: Array(whole)
        case .header, .mime: Array(message.headerBytes)
        case .headerFields(let names): fields(message, names, not: false)
        case .headerFieldsNot(let names): fields(message, names, not: true)
        case .text: Array(message.bodyBytes)
        }
    }

    /// `HEADER.FIELDS (…)` or `.NOT`: the matching fields' lines as stored (folding kept) and the blank line.
    static func fields(_ message: MIMEEntity, _ names: [String], not: Bool) -> [UInt8] {
        var out: [UInt8] = []
        for field in message.header where names.contains(where: { field.is($0) }) != not {
            out += message.raw[field.range]
            if out.last != 0x0A { out += [0x0D, 0x0A] }
        }
        return out + [0x0D, 0x0A]
    }

    /// `<origin.length>` applied (§6.4.5: past the end gives an empty string).
    static func partial(_ bytes: [UInt8], _ partial: FetchAttribute.Partial?) -> [UInt8] {
        guard let partial else { return bytes }
        guard partial.offset < bytes.count else { return [] }
        return Array(bytes[partial.offset..<min(bytes.count, partial.offset + partial.length)])
    }
}
