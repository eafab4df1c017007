/// Reads a message (RFC 5322, RFC 2045–2049, RFC 6532) into its entity tree. Pure and total: any bytes give a
/// tree, whatever is malformed is worked around and noted in `MIMEEntity.problems`, and `MIMELimits` bound
/// what a message can make it build. Line ends may be CRLF or bare LF; ranges always point into the input.
public enum MIMEParser {
    public static func parse(_ raw: [UInt8], limits: MIMELimits = .default) -> MIMEEntity {
        var parser = Parser(raw: raw, limits: limits)
        return parser.entity(in: 0..<raw.count, depth: 0, defaultType: .defaultText)
    }

    /// Only the header fields of a message (or of any bytes that start with a header), and where the header ends.
    public static func parseHeader(_ raw: [UInt8], limits: MIMELimits = .default) -> (header: MIMEHeader, end: Int) {
        var parser = Parser(raw: raw, limits: limits)
        let read = parser.header(in: 0..<raw.count)
        return (MIMEHeader(read.fields), read.end)
    }
}

private struct Parser {
    let raw: [UInt8]
    let limits: MIMELimits
    var entities = 0

    init(raw: [UInt8], limits: MIMELimits) {
        self.raw = raw
        self.limits = limits
    }

    mutating func entity(in range: Range<Int>, depth: Int, defaultType: MIMEContentType) -> MIMEEntity {
        entities += 1
        let read = header(in: range)
        let header = MIMEHeader(read.fields)
        var problems = read.problems
        var contentType = header["Content-Type"].flatMap(MIMEContentType.init(parsing:)) ?? defaultType
        let disposition = header["Content-Disposition"].flatMap(MIMEContentDisposition.init(parsing:))
        let encoding = MIMETransferEncoding(parsing: header["Content-Transfer-Encoding"])
        let bodyRange = read.end..<range.upperBound
        var children: [MIMEEntity] = []
        var enclosed: MIMEEntity?

        if read.truncated {
            // The header never ended within its limit: what follows is not read as MIME.
            contentType = .opaque
        } else if contentType.isMultipart || contentType.isMessage {
            if depth >= limits.maxDepth {
                problems.append(.limitExceeded(.depth))
                contentType = .opaque
            } else if entities >= limits.maxParts {
                problems.append(.limitExceeded(.parts))
                contentType = .opaque
            } else if contentType.isMultipart {
                let split = splitMultipart(bodyRange, boundary: contentType.boundary)
                if split.parts.isEmpty {
                    problems.append(.missingBoundary)
                    contentType = .defaultText
                } else {
                    if !split.closed { problems.append(.missingClosingBoundary) }
                    let childDefault: MIMEContentType = contentType.subtype == "digest" ? .defaultDigestPart : .defaultText
                    for part in split.parts {
                        if entities >= limits.maxParts {
                            // The rest of the parts as one opaque leaf.
                            let rest = part.lowerBound..<split.parts[split.parts.count - 1].upperBound
                            children.append(MIMEEntity(
                                raw: raw, header: MIMEHeader(), headerRange: rest.lowerBound..<rest.lowerBound, bodyRange: rest,
                                contentType: .opaque, problems: [.limitExceeded(.parts)]))
                            break
                        }
                        children.append(entity(in: part, depth: depth + 1, defaultType: childDefault))
                    }
                }
            } else {
                switch encoding {
                case .sevenBit, .eightBit, .binary:
                    enclosed = entity(in: bodyRange, depth: depth + 1, defaultType: .defaultText)
                default:
                    // RFC 2046 §5.2.1 forbids encoding a message/rfc822 body; one that is, is not read inside.
                    contentType = .opaque
                }
            }
        }
        return MIMEEntity(
            raw: raw, header: header, headerRange: range.lowerBound..<read.end, bodyRange: bodyRange,
            contentType: contentType, disposition: disposition, transferEncoding: encoding,
            children: children, enclosedMessage: enclosed, problems: problems)
    }

    struct HeaderRead {
        var fields: [MIMEHeaderField] = []
        /// Just past the empty line that ends the header (or the end of the range when there is none).
        var end: Int
        var problems: [MIMEProblem] = []
        var truncated = false
    }

    /// RFC 5322 §2.2: fields up to the first empty line; a line starting with a space or tab continues a field.
    mutating func header(in range: Range<Int>) -> HeaderRead {
        var read = HeaderRead(end: range.upperBound)
        let end = range.upperBound
        let limit = range.lowerBound + limits.maxHeaderBytes
        var index = range.lowerBound
        var countExceeded = false
        while true {
            if index >= end {
                read.end = end
                return read
            }
            if raw[index] == 0x0A {
                read.end = index + 1
                return read
            }
            if raw[index] == 0x0D, index + 1 < end, raw[index + 1] == 0x0A {
                read.end = index + 2
                return read
            }
            var fieldEnd = lineEnd(from: index, before: end)
            while fieldEnd < end, raw[fieldEnd] == 0x20 || raw[fieldEnd] == 0x09 {
                fieldEnd = lineEnd(from: fieldEnd, before: end)
            }
            if fieldEnd > limit {
                read.problems.append(.limitExceeded(.headerBytes))
                read.truncated = true
                read.end = index
                return read
            }
            if let field = field(index..<fieldEnd) {
                if read.fields.count < limits.maxHeaderFields {
                    read.fields.append(field)
                } else if !countExceeded {
                    countExceeded = true
                    read.problems.append(.limitExceeded(.headerFields))
                }
            } else if read.problems.count < 100 {
                read.problems.append(.malformedHeaderLine(offset: index))
            }
            index = fieldEnd
        }
    }

    /// Just past the next LF at or after `start`, or `end`.
    func lineEnd(from start: Int, before end: Int) -> Int {
        raw[start..<end].firstIndex(of: 0x0A).map { $0 + 1 } ?? end
    }

    /// `name ":" value`; the name is printable ASCII without a colon (whitespace before the colon, RFC 5322
    /// §4.5's obsolete form, is allowed and dropped).
    func field(_ range: Range<Int>) -> MIMEHeaderField? {
        guard let colon = raw[range].firstIndex(of: 0x3A) else { return nil }
        var nameEnd = colon
        while nameEnd > range.lowerBound, raw[nameEnd - 1] == 0x20 || raw[nameEnd - 1] == 0x09 { nameEnd -= 1 }
        guard nameEnd > range.lowerBound else { return nil }
        for byte in raw[range.lowerBound..<nameEnd] where byte < 0x21 || byte > 0x7E { return nil }
        var valueEnd = range.upperBound
        if valueEnd > colon + 1, raw[valueEnd - 1] == 0x0A { valueEnd -= 1 }
        if valueEnd > colon + 1, raw[valueEnd - 1] == 0x0D { valueEnd -= 1 }
        return MIMEHeaderField(
            name: String(decoding: raw[range.lowerBound..<nameEnd], as: UTF8.self), range: range,
            rawValue: Array(raw[(colon + 1)..<valueEnd]))
    }

    /// RFC 2046 §5.1.1: the ranges of the body parts between `--boundary` lines (a line that is the delimiter,
    /// maybe `--` after it, then only whitespace). The line end before a delimiter belongs to the delimiter.
    /// The preamble and epilogue are not parts. Without a closing delimiter the last part runs to the end.
    func splitMultipart(_ body: Range<Int>, boundary: String?) -> (parts: [Range<Int>], closed: Bool) {
        guard let boundary, !boundary.isEmpty, boundary.utf8.count <= 200 else { return ([], false) }
        let delimiter = [0x2D, 0x2D] + Array(boundary.utf8)
        var parts: [Range<Int>] = []
        var partStart: Int?
        var lineStart = body.lowerBound
        while lineStart < body.upperBound {
            let next = lineEnd(from: lineStart, before: body.upperBound)
            if raw[lineStart] == 0x2D, let closing = delimiterLine(lineStart..<next, delimiter) {
                if let start = partStart {
                    var partEnd = lineStart
                    if partEnd > start, raw[partEnd - 1] == 0x0A { partEnd -= 1 }
                    if partEnd > start, raw[partEnd - 1] == 0x0D { partEnd -= 1 }
                    parts.append(start..<partEnd)
                }
                if closing { return (parts, true) }
                partStart = next
            }
            lineStart = next
        }
        if let start = partStart { parts.append(start..<body.upperBound) }
        return (parts, false)
    }

    /// Whether the line is the delimiter (nil: no; true: the closing one).
    func delimiterLine(_ line: Range<Int>, _ delimiter: [UInt8]) -> Bool? {
        guard line.count >= delimiter.count, raw[line.lowerBound..<(line.lowerBound + delimiter.count)].elementsEqual(delimiter) else {
            return nil
        }
        var index = line.lowerBound + delimiter.count
        var closing = false
        if index + 1 < line.upperBound, raw[index] == 0x2D, raw[index + 1] == 0x2D {
            closing = true
            index += 2
        }
        while index < line.upperBound {
            switch raw[index] {
            case 0x20, 0x09, 0x0D, 0x0A: index += 1
            default: return nil
            }
        }
        return closing
    }
}
