import StarconIMAP

/// One MIME entity of a stored message, found by its part number (RFC 3501 §6.4.5: `1.2` is the second
/// part of the first part; a message that is not multipart has one part, 1, its body).
struct MessagePart {
    /// The entity's header and body.
    let bytes: ArraySlice<UInt8>
    /// A message/rfc822 part: its body is a message with a header of its own.
    let isMessage: Bool

    static func entity(_ path: [Int], in raw: ArraySlice<UInt8>) -> MessagePart? {
        guard !path.isEmpty else { return MessagePart(bytes: raw, isMessage: true) }
        guard path == [1], !MessageHeader(raw).isMultipart else { return nil }
        return MessagePart(bytes: raw, isMessage: false)
    }

    /// BODY and BODYSTRUCTURE.
    static func structure(of raw: [UInt8]) -> BodyStructure {
        let header = MessageHeader(raw[...])
        let body = raw.dropFirst(header.size)
        let lines = body.count { $0 == 0x0A }
        return .single(.init(type: "TEXT", subtype: "PLAIN", parameters: [.init("CHARSET", "UTF-8")],
                             encoding: header.value("Content-Transfer-Encoding")?.uppercased() ?? "7BIT", octets: body.count, lines: lines))
    }
}

extension MessageHeader {
    var isMultipart: Bool { value("Content-Type")?.lowercased().hasPrefix("multipart/") ?? false }
}
