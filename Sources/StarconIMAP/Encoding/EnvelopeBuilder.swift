import StarconMIME

/// ENVELOPE and BODYSTRUCTURE from StarconMIME's entity tree (RFC 3501 §7.4.2): header values as written
/// (encoded words left encoded), addresses split into name, mailbox and host.
public enum EnvelopeBuilder {
    /// The encoded ENVELOPE value (what follows `ENVELOPE `), as the store keeps it per message: a message never
    /// changes, so it is built once at delivery instead of on every FETCH.
    public static func encodedEnvelope(_ header: MIMEHeader) -> [UInt8] {
        var writer = ResponseWriter(capacity: 512)
        writer.envelope(envelope(header))
        return writer.bytes
    }

    /// The encoded BODYSTRUCTURE value (extensible form), kept per message like the envelope.
    public static func encodedBodyStructure(_ entity: MIMEEntity) -> [UInt8] {
        var writer = ResponseWriter(capacity: 512)
        writer.bodyStructure(structure(entity), extensible: true)
        return writer.bytes
    }

    public static func envelope(_ header: MIMEHeader) -> Envelope {
        Envelope(date: header["Date"], subject: header["Subject"],
                 from: addresses(header["From"]), sender: addresses(header["Sender"]),
                 replyTo: addresses(header["Reply-To"]), to: addresses(header["To"]),
                 cc: addresses(header["Cc"]), bcc: addresses(header["Bcc"]),
                 inReplyTo: header["In-Reply-To"], messageID: header["Message-ID"])
    }

    /// An address list; a group is written as RFC 3501 asks: `(NIL NIL "name" NIL)`, its members, then
    /// `(NIL NIL NIL NIL)`.
    static func addresses(_ value: String?) -> [Envelope.Address] {
        guard let value, !value.isEmpty else { return [] }
        var result: [Envelope.Address] = []
        for entry in AddressList.parse(value) {
            switch entry {
            case .mailbox(let address):
                result.append(self.address(address))
            case .group(_, let rawName, let members):
                result.append(.init(name: nil, mailbox: rawName, host: nil))
                result += members.map(address)
                result.append(.init(name: nil, mailbox: nil, host: nil))
            }
        }
        return result
    }

    static func address(_ address: MIMEAddress) -> Envelope.Address {
        let name = address.rawDisplayName.flatMap { $0.isEmpty ? nil : $0 }
        // A host of NIL marks a group in an ENVELOPE, so an address without one gets a placeholder.
        return .init(name: name, mailbox: address.localPart, host: address.domain ?? "MISSING_DOMAIN")
    }

    /// BODY and BODYSTRUCTURE.
    public static func structure(_ entity: MIMEEntity) -> BodyStructure {
        let header = entity.header
        let type = entity.contentType
        if entity.isMultipart {
            return .multipart(entity.children.map(structure), .init(
                subtype: type.subtype, parameters: parameters(type.parameters), disposition: disposition(entity),
                language: languages(header["Content-Language"]), location: header["Content-Location"]))
        }
        let part = BodyStructure.SinglePart(
            type: type.type, subtype: type.subtype, parameters: parameters(type.parameters), id: header["Content-ID"],
            description: header["Content-Description"], encoding: entity.transferEncoding.name, octets: entity.bodyRange.count,
            lines: type.type == "text" ? entity.bodyLineCount : nil, md5: header["Content-MD5"], disposition: disposition(entity),
            language: languages(header["Content-Language"]), location: header["Content-Location"])
        if type.isMessage, let inner = entity.enclosedMessage {
            return .message(part, envelope(inner.header), structure(inner), lines: entity.bodyLineCount)
        }
        return .single(part)
    }

    static func parameters(_ parameters: MIMEParameters) -> [BodyStructure.Parameter] {
        parameters.items.map { BodyStructure.Parameter($0.name, $0.value) }
    }

    static func disposition(_ entity: MIMEEntity) -> BodyStructure.Disposition? {
        entity.disposition.map { BodyStructure.Disposition($0.type, parameters: parameters($0.parameters)) }
    }

    static func languages(_ value: String?) -> [String] {
        // Language tags hold no white space, so splitting on it as well as on commas trims them.
        (value ?? "").split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
    }
}
