/// A message's MIME structure as BODY and BODYSTRUCTURE report it (RFC 3501 §7.4.2).
///
///     body            = "(" (body-type-1part / body-type-mpart) ")"
///     body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
///     body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
public indirect enum BodyStructure: Equatable, Sendable {
    case single(SinglePart)
    /// message/rfc822: its fields, then the enclosed message's envelope, structure and line count.
    ///
    ///     body-type-msg = media-message SP body-fields SP envelope SP body SP body-fld-lines
    case message(SinglePart, Envelope, BodyStructure, lines: Int)
    case multipart([BodyStructure], Multipart)

    public struct Parameter: Equatable, Sendable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    ///     body-fld-dsp = "(" string SP body-fld-param ")" / nil
    public struct Disposition: Equatable, Sendable {
        public var kind: String
        public var parameters: [Parameter]
        public init(_ kind: String, parameters: [Parameter] = []) {
            self.kind = kind
            self.parameters = parameters
        }
    }

    ///     body-type-basic = media-basic SP body-fields
    ///     body-type-text  = media-text SP body-fields SP body-fld-lines
    ///     body-fields     = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
    ///     body-ext-1part  = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]]
    public struct SinglePart: Equatable, Sendable {
        public var type: String
        public var subtype: String
        public var parameters: [Parameter]
        public var id: String?
        public var description: String?
        public var encoding: String
        public var octets: Int
        /// Lines of a text part (body-fld-lines); nil for others.
        public var lines: Int?
        public var md5: String?
        public var disposition: Disposition?
        public var language: [String]
        public var location: String?

        public init(type: String, subtype: String, parameters: [Parameter] = [], id: String? = nil, description: String? = nil,
                    encoding: String = "7BIT", octets: Int, lines: Int? = nil, md5: String? = nil, disposition: Disposition? = nil,
                    language: [String] = [], location: String? = nil) {
            self.type = type
            self.subtype = subtype
            self.parameters = parameters
            self.id = id
            self.description = description
            self.encoding = encoding
            self.octets = octets
            self.lines = lines
            self.md5 = md5
            self.disposition = disposition
            self.language = language
            self.location = location
        }
    }

    ///     body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]]
    public struct Multipart: Equatable, Sendable {
        public var subtype: String
        public var parameters: [Parameter]
        public var disposition: Disposition?
        public var language: [String]
        public var location: String?

        public init(subtype: String, parameters: [Parameter] = [], disposition: Disposition? = nil, language: [String] = [],
                    location: String? = nil) {
            self.subtype = subtype
            self.parameters = parameters
            self.disposition = disposition
            self.language = language
            self.location = location
        }
    }
}

extension ResponseWriter {
    mutating func bodyStructure(_ body: BodyStructure, extensible: Bool) {
        raw("(")
        switch body {
        case .single(let part):
            fields(part)
            if let lines = part.lines { raw(" \(lines)") }
            if extensible { singleExtension(part) }
        case .message(let part, let envelope, let inner, let lines):
            fields(part)
            space()
            self.envelope(envelope)
            space()
            bodyStructure(inner, extensible: extensible)
            raw(" \(lines)")
            if extensible { singleExtension(part) }
        case .multipart(let parts, let info):
            // A multipart with no parts cannot be written (1*body); it is reported as an empty text part.
            if parts.isEmpty {
                fields(BodyStructure.SinglePart(type: "TEXT", subtype: "PLAIN", octets: 0, lines: 0))
                raw(" 0")
            }
            for part in parts { bodyStructure(part, extensible: extensible) }
            space()
            string(info.subtype.uppercased())
            if extensible {
                space()
                parameters(info.parameters)
                space()
                disposition(info.disposition)
                space()
                language(info.language)
                space()
                nstring(info.location)
            }
        }
        raw(")")
    }

    ///     body-fld-param = "(" string SP string *(SP string SP string) ")" / nil
    mutating func parameters(_ parameters: [BodyStructure.Parameter]) {
        guard !parameters.isEmpty else { return raw("NIL") }
        list(parameters) { writer, parameter in
            writer.string(parameter.name.uppercased())
            writer.space()
            writer.string(parameter.value)
        }
    }

    mutating func disposition(_ disposition: BodyStructure.Disposition?) {
        guard let disposition else { return raw("NIL") }
        raw("(")
        string(disposition.kind.uppercased())
        space()
        parameters(disposition.parameters)
        raw(")")
    }

    ///     body-fld-lang = nstring / "(" string *(SP string) ")"
    mutating func language(_ tags: [String]) {
        if tags.isEmpty { raw("NIL") } else { list(tags) { $0.string($1) } }
    }

    mutating func fields(_ part: BodyStructure.SinglePart) {
        string(part.type.uppercased())
        space()
        string(part.subtype.uppercased())
        space()
        parameters(part.parameters)
        space()
        nstring(part.id)
        space()
        nstring(part.description)
        space()
        string(part.encoding.uppercased())
        raw(" \(part.octets)")
    }

    mutating func singleExtension(_ part: BodyStructure.SinglePart) {
        space()
        nstring(part.md5)
        space()
        disposition(part.disposition)
        space()
        language(part.language)
        space()
        nstring(part.location)
    }
}
