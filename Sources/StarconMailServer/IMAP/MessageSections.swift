import StarconIMAP

/// BODY[section] (RFC 3501 §6.4.5): the octets a section specification names in a stored message.
enum MessageSections {
    /// The section's octets; empty when the message has no such part (§6.4.5 lets the server answer so).
    static func bytes(_ spec: SectionSpec, of raw: [UInt8]) -> [UInt8] {
        let whole = raw[...]
        guard let entity = MessagePart.entity(spec.part, in: whole) else { return [] }
        let header = MessageHeader(entity.bytes)
        let body = entity.bytes.dropFirst(header.size)
        switch spec.text {
        case .whole: return Array(spec.part.isEmpty ? entity.bytes : (entity.isMessage ? entity.bytes : body))
        case .mime: return Array(entity.bytes.prefix(header.size))
        case .header, .headerFields, .headerFieldsNot, .text:
            // Below the top, HEADER and TEXT name the message inside a message/rfc822 part.
            let message = spec.part.isEmpty ? entity.bytes : (entity.isMessage ? body : nil)
            guard let message else { return [] }
            let inner = MessageHeader(message)
            switch spec.text {
            case .header: return Array(message.prefix(inner.size))
            case .headerFields(let names): return inner.lines(names, not: false)
            case .headerFieldsNot(let names): return inner.lines(names, not: true)
            default: return Array(message.dropFirst(inner.size))
            }
        }
    }

    /// `<origin.length>` applied (§6.4.5: past the end gives an empty string).
    static func partial(_ bytes: [UInt8], _ partial: FetchAttribute.Partial?) -> [UInt8] {
        guard let partial else { return bytes }
        guard partial.offset < bytes.count else { return [] }
        return Array(bytes[partial.offset..<min(bytes.count, partial.offset + partial.length)])
    }
}
