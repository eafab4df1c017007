///     resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text
///     resp-cond-bye   = "BYE" SP resp-text
public enum ResponseStatus: String, Sendable {
    case ok = "OK"
    case no = "NO"
    case bad = "BAD"
    case bye = "BYE"
    case preauth = "PREAUTH"
}

///     resp-text-code = "ALERT" / "BADCHARSET" [...] / capability-data / "PARSE" / "PERMANENTFLAGS" SP "(" ... ")" /
///                      "READ-ONLY" / "READ-WRITE" / "TRYCREATE" / "UIDNEXT" SP nz-number /
///                      "UIDVALIDITY" SP nz-number / "UNSEEN" SP nz-number / atom [SP 1*<any TEXT-CHAR except "]">]
/// with APPENDUID and COPYUID (RFC 4315) and the codes of RFC 5530.
public enum ResponseCode: Equatable, Sendable {
    case alert
    case capability([String])
    case parse
    case permanentFlags([String])
    case readOnly
    case readWrite
    case tryCreate
    case uidNext(UInt32)
    case uidValidity(UInt32)
    case unseen(UInt32)
    case appendUID(validity: UInt32, uid: UInt32)
    case copyUID(validity: UInt32, source: SequenceSet, destination: SequenceSet)
    case closed
    /// RFC 7162: HIGHESTMODSEQ, NOMODSEQ, MODIFIED
    case highestModseq(Int64)
    case modified(SequenceSet)
    /// RFC 5530: TOOBIG, NONEXISTENT, ALREADYEXISTS, AUTHENTICATIONFAILED, UNAVAILABLE, CANNOT, LIMIT, …
    case atom(String)

    var text: String {
        switch self {
        case .alert: "ALERT"
        case .capability(let names): (["CAPABILITY"] + names).joined(separator: " ")
        case .parse: "PARSE"
        case .permanentFlags(let flags): "PERMANENTFLAGS (\(flags.joined(separator: " ")))"
        case .readOnly: "READ-ONLY"
        case .readWrite: "READ-WRITE"
        case .tryCreate: "TRYCREATE"
        case .uidNext(let n): "UIDNEXT \(n)"
        case .uidValidity(let n): "UIDVALIDITY \(n)"
        case .unseen(let n): "UNSEEN \(n)"
        case .appendUID(let validity, let uid): "APPENDUID \(validity) \(uid)"
        case .copyUID(let validity, let source, let destination): "COPYUID \(validity) \(source.description) \(destination.description)"
        case .closed: "CLOSED"
        case .highestModseq(let n): "HIGHESTMODSEQ \(n)"
        case .modified(let set): "MODIFIED \(set.description)"
        case .atom(let word): word
        }
    }
}

/// One item of a FETCH response.
///
///     msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")"
public enum FetchItem: Equatable, Sendable {
    case flags([String])
    case uid(UInt32)
    case internalDate(Int64)
    case rfc822Size(Int)
    /// RFC 7162: `MODSEQ (n)`
    case modseq(Int64)
    case envelope(Envelope)
    /// BODYSTRUCTURE (extensible) or BODY (not).
    case bodyStructure(BodyStructure, extensible: Bool)
    /// `BODY[section]<origin> data`; also RFC822, RFC822.HEADER and RFC822.TEXT under their own names.
    case section(name: String, origin: Int?, data: [UInt8]?)
    /// `ENVELOPE` or `BODYSTRUCTURE` with a value encoded earlier (`EnvelopeBuilder.encodedEnvelope`), as stored.
    case encoded(name: String, value: [UInt8])
}

/// The lines the server sends, as bytes. Every function writes one response, CRLF included.
public enum Response {
    ///     response-tagged = tag SP resp-cond-state CRLF
    public static func tagged(_ tag: String, _ status: ResponseStatus, code: ResponseCode? = nil, _ text: String) -> [UInt8] {
        var writer = ResponseWriter()
        writer.raw(tag)
        writer.space()
        writer.condition(status, code: code, text)
        return writer.bytes
    }

    ///     response-data = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data / message-data / capability-data) CRLF
    public static func untagged(_ status: ResponseStatus, code: ResponseCode? = nil, _ text: String) -> [UInt8] {
        var writer = ResponseWriter()
        writer.raw("* ")
        writer.condition(status, code: code, text)
        return writer.bytes
    }

    /// `* ` and data written by the caller (`3 EXISTS`, `FLAGS (…)`), then CRLF.
    public static func data(_ write: (inout ResponseWriter) -> Void) -> [UInt8] {
        var writer = ResponseWriter()
        writer.raw("* ")
        write(&writer)
        writer.crlf()
        return writer.bytes
    }

    public static func data(_ text: String) -> [UInt8] { data { $0.raw(text) } }

    ///     continue-req = "+" SP (resp-text / base64) CRLF
    public static func continuation(_ text: String) -> [UInt8] { Array("+ \(text)\r\n".utf8) }

    ///     capability-data = "CAPABILITY" *(SP capability) SP "IMAP4rev1" *(SP capability)
    public static func capability(_ names: [String]) -> [UInt8] { data((["CAPABILITY"] + names).joined(separator: " ")) }

    ///     mailbox-data = "FLAGS" SP flag-list / "EXISTS" / "RECENT" / "SEARCH" *(SP nz-number) / "LIST" … / "STATUS" …
    public static func flags(_ flags: [String]) -> [UInt8] { data("FLAGS (\(flags.joined(separator: " ")))") }
    public static func exists(_ count: Int) -> [UInt8] { data("\(count) EXISTS") }
    public static func recent(_ count: Int) -> [UInt8] { data("\(count) RECENT") }
    ///     message-data = nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att))
    public static func expunge(_ sequence: Int) -> [UInt8] { data("\(sequence) EXPUNGE") }
    /// With RFC 7162's `(MODSEQ n)` after the numbers when the search had a MODSEQ key and found something.
    public static func search(_ numbers: [UInt32], modseq: Int64? = nil) -> [UInt8] {
        var words = ["SEARCH"] + numbers.map(String.init)
        if let modseq, !numbers.isEmpty { words.append("(MODSEQ \(modseq))") }
        return data(words.joined(separator: " "))
    }
    public static func enabled(_ names: [String]) -> [UInt8] { data((["ENABLED"] + names).joined(separator: " ")) }

    ///     mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
    public static func list(_ kind: String = "LIST", attributes: [String], delimiter: Character?, name: String) -> [UInt8] {
        data { writer in
            writer.raw("\(kind) (\(attributes.joined(separator: " "))) ")
            if let delimiter { writer.string(String(delimiter)) } else { writer.raw("NIL") }
            writer.space()
            writer.mailbox(name)
        }
    }

    ///     "STATUS" SP mailbox SP "(" [status-att-list] ")"
    public static func status(_ name: String, _ values: [(StatusAttribute, UInt64)]) -> [UInt8] {
        data { writer in
            writer.raw("STATUS ")
            writer.mailbox(name)
            writer.raw(" (\(values.map { "\($0.0.rawValue) \($0.1)" }.joined(separator: " ")))")
        }
    }

    ///     "FETCH" SP msg-att
    public static func fetch(_ sequence: Int, _ items: [FetchItem]) -> [UInt8] {
        data { writer in
            writer.raw("\(sequence) FETCH ")
            writer.list(items) { writer, item in writer.fetchItem(item) }
        }
    }

    ///     namespace-response = "NAMESPACE" SP namespace SP namespace SP namespace   (RFC 2342)
    /// One personal namespace with no prefix; no other users' or shared ones.
    public static func namespace(delimiter: Character) -> [UInt8] { data("NAMESPACE ((\"\" \"\(delimiter)\")) NIL NIL") }

    ///     id-response = "ID" SP id-params-list   (RFC 2971)
    public static func id(_ fields: [(String, String)]) -> [UInt8] {
        data { writer in
            writer.raw("ID ")
            writer.list(fields) { writer, pair in
                writer.string(pair.0)
                writer.space()
                writer.string(pair.1)
            }
        }
    }
}

extension ResponseWriter {
    ///     resp-text = ["[" resp-text-code "]" SP] text
    mutating func condition(_ status: ResponseStatus, code: ResponseCode?, _ text: String) {
        raw(status.rawValue)
        space()
        if let code { raw("[\(code.text)] ") }
        // text = 1*TEXT-CHAR: no CR or LF may reach the line.
        raw(text.isEmpty ? "done" : String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\r" || $0 == "\n" ? " " : $0 })))
        crlf()
    }

    mutating func fetchItem(_ item: FetchItem) {
        switch item {
        case .flags(let flags): raw("FLAGS (\(flags.joined(separator: " ")))")
        case .uid(let uid): raw("UID \(uid)")
        case .internalDate(let milliseconds): raw("INTERNALDATE \"\(IMAPDate.format(milliseconds: milliseconds))\"")
        case .rfc822Size(let size): raw("RFC822.SIZE \(size)")
        case .modseq(let modseq): raw("MODSEQ (\(modseq))")
        case .envelope(let envelope):
            raw("ENVELOPE ")
            self.envelope(envelope)
        case .bodyStructure(let body, let extensible):
            raw(extensible ? "BODYSTRUCTURE " : "BODY ")
            bodyStructure(body, extensible: extensible)
        case .section(let name, let origin, let data):
            raw(name)
            if let origin { raw("<\(origin)>") }
            space()
            if let data { literal(data) } else { raw("NIL") }
        case .encoded(let name, let value):
            raw(name)
            space()
            raw(bytes: value)
        }
    }
}
