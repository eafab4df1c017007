/// One mailbox of an address header (RFC 5322 §3.4): `Display Name <local@domain>` or `local@domain`.
public struct MIMEAddress: Sendable, Hashable {
    /// The display name with RFC 2047 words decoded, nil when there is none.
    public var displayName: String?
    /// The display name as written, quotes and `\` pairs resolved but encoded words left encoded (IMAP's
    /// ENVELOPE wants it so, RFC 3501 §7.4.2).
    public var rawDisplayName: String?
    /// The local part, unquoted.
    public var localPart: String
    /// The domain (a `[literal]` kept with its brackets); nil for an address with no `@`.
    public var domain: String?

    public init(displayName: String? = nil, localPart: String, domain: String?) {
        self.displayName = displayName
        self.rawDisplayName = displayName
        self.localPart = localPart
        self.domain = domain
    }

    /// `local@domain`, the local part quoted when it needs to be.
    public var address: String {
        let local = AddressList.isDotAtom(localPart) ? localPart : AddressList.quoted(localPart)
        return domain.map { "\(local)@\($0)" } ?? local
    }

    /// The mailbox for a header: `Name <local@domain>` with the name as atoms, a quoted string or encoded
    /// words (non-ASCII), or the bare address.
    public var formatted: String {
        guard let name = displayName, !name.isEmpty else { return address }
        return "\(AddressList.phrase(name)) <\(address)>"
    }
}

/// An entry of an address list: a mailbox, or a named group of them (`Team: a@x, b@y;`).
public enum MIMEAddressListEntry: Sendable, Hashable {
    case mailbox(MIMEAddress)
    /// `name` decoded, `rawName` as written.
    case group(name: String, rawName: String, members: [MIMEAddress])
}

/// RFC 5322 §3.4 address lists, read leniently (comments, groups, a display name in a comment after a bare
/// address, obsolete routes, UTF-8 per RFC 6532) and written for headers.
public enum AddressList {
    public static func parse(_ value: String) -> [MIMEAddressListEntry] {
        let tokens = tokenize(Array(value.utf8))
        var entries: [MIMEAddressListEntry] = []
        var index = 0
        while index < tokens.count, entries.count < 10_000 {
            // Up to the next top-level "," or a ":" that opens a group.
            var unit: [Token] = []
            var inAngle = false
            var groupName: [Token]?
            while index < tokens.count {
                let token = tokens[index]
                if case .special(let c) = token {
                    if c == UInt8(ascii: "<") { inAngle = true }
                    if c == UInt8(ascii: ">") { inAngle = false }
                    if !inAngle, c == UInt8(ascii: ","), groupName == nil { index += 1; break }
                    if !inAngle, c == UInt8(ascii: ":"), groupName == nil {
                        groupName = unit
                        unit = []
                        index += 1
                        continue
                    }
                    if !inAngle, c == UInt8(ascii: ";"), groupName != nil { index += 1; break }
                }
                unit.append(token)
                index += 1
            }
            if let groupName {
                let raw = words(groupName, decoded: false)
                let members = splitTopLevel(unit).compactMap(mailbox)
                entries.append(.group(name: words(groupName, decoded: true), rawName: raw, members: members))
            } else if let mailbox = mailbox(unit) {
                entries.append(.mailbox(mailbox))
            }
        }
        return entries
    }

    /// Every mailbox, groups opened.
    public static func mailboxes(_ value: String) -> [MIMEAddress] {
        parse(value).flatMap { entry -> [MIMEAddress] in
            switch entry {
            case .mailbox(let address): return [address]
            case .group(_, _, let members): return members
            }
        }
    }

    /// A header value for these mailboxes: `a@x, Name <b@y>`.
    public static func format(_ addresses: [MIMEAddress]) -> String {
        addresses.map(\.formatted).joined(separator: ", ")
    }

    enum Token: Equatable {
        case atom([UInt8])
        case quoted([UInt8])
        case comment([UInt8])
        case literal([UInt8])  // [domain literal], brackets kept
        case special(UInt8)
    }

    static func tokenize(_ bytes: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        var atom: [UInt8] = []
        func flush() {
            if !atom.isEmpty { tokens.append(.atom(atom)); atom = [] }
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x20, 0x09, 0x0D, 0x0A:
                flush()
                index += 1
            case 0x22:
                flush()
                var out: [UInt8] = []
                index += 1
                while index < bytes.count, bytes[index] != 0x22 {
                    if bytes[index] == 0x5C, index + 1 < bytes.count { index += 1 }
                    if bytes[index] != 0x0D, bytes[index] != 0x0A { out.append(bytes[index]) }
                    index += 1
                }
                index += 1
                tokens.append(.quoted(out))
            case 0x28:
                flush()
                var out: [UInt8] = []
                var depth = 0
                while index < bytes.count {
                    let current = bytes[index]
                    if current == 0x5C, index + 1 < bytes.count {
                        out.append(bytes[index + 1])
                        index += 2
                        continue
                    }
                    if current == 0x28 { depth += 1; if depth == 1 { index += 1; continue } }
                    if current == 0x29 { depth -= 1; if depth == 0 { index += 1; break } }
                    out.append(current)
                    index += 1
                }
                tokens.append(.comment(out))
            case 0x5B:
                flush()
                let end = bytes[index...].firstIndex(of: 0x5D) ?? (bytes.count - 1)
                tokens.append(.literal(Array(bytes[index...end])))
                index = end + 1
            case 0x3C, 0x3E, 0x40, 0x2C, 0x3A, 0x3B:
                flush()
                tokens.append(.special(byte))
                index += 1
            default:
                atom.append(byte)
                index += 1
            }
        }
        flush()
        return tokens
    }

    /// Splits a group's member tokens at top-level commas.
    static func splitTopLevel(_ tokens: [Token]) -> [[Token]] {
        var units: [[Token]] = [[]]
        var inAngle = false
        for token in tokens {
            if case .special(let c) = token {
                if c == UInt8(ascii: "<") { inAngle = true }
                if c == UInt8(ascii: ">") { inAngle = false }
                if c == UInt8(ascii: ","), !inAngle { units.append([]); continue }
            }
            units[units.count - 1].append(token)
        }
        return units
    }

    /// A mailbox from its tokens: `phrase <addr-spec>` or `addr-spec (comment)`.
    static func mailbox(_ tokens: [Token]) -> MIMEAddress? {
        if let open = tokens.firstIndex(of: .special(UInt8(ascii: "<"))) {
            let close = tokens[open...].firstIndex(of: .special(UInt8(ascii: ">"))) ?? tokens.count
            var spec = Array(tokens[(open + 1)..<close])
            // An obsolete route (`@a,@b:`) before the address is dropped.
            if let colon = spec.firstIndex(of: .special(UInt8(ascii: ":"))) { spec = Array(spec[(colon + 1)...]) }
            guard var address = addrSpec(spec) else { return nil }
            var phrase = Array(tokens[..<open])
            if phrase.allSatisfy({ if case .comment = $0 { return true } else { return false } }) {
                phrase = phrase.last.map { [$0] } ?? []
            }
            let raw = words(phrase, decoded: false)
            address.rawDisplayName = raw.isEmpty ? nil : raw
            let decoded = words(phrase, decoded: true)
            address.displayName = decoded.isEmpty ? nil : decoded
            return address
        }
        let spec = tokens.filter { if case .comment = $0 { return false } else { return true } }
        guard var address = addrSpec(spec) else { return nil }
        // `user@host (Name)`: the old way of giving a name.
        if case .comment(let text)? = tokens.last(where: { if case .comment = $0 { return true } else { return false } }), !text.isEmpty {
            let raw = MIMEText.headerString(text).trimmingSpace()
            address.rawDisplayName = raw
            address.displayName = EncodedWords.decode(raw)
        }
        return address
    }

    static func addrSpec(_ tokens: [Token]) -> MIMEAddress? {
        let tokens = tokens.filter { if case .comment = $0 { return false } else { return true } }
        guard !tokens.isEmpty else { return nil }
        let at = tokens.lastIndex(of: .special(UInt8(ascii: "@")))
        var local: [UInt8] = []
        for token in tokens[..<(at ?? tokens.count)] {
            switch token {
            case .atom(let bytes), .quoted(let bytes), .literal(let bytes): local += bytes
            case .special(let c): local.append(c)
            case .comment: break
            }
        }
        var domain: [UInt8]?
        if let at {
            var bytes: [UInt8] = []
            for token in tokens[(at + 1)...] {
                switch token {
                case .atom(let part), .literal(let part): bytes += part
                case .quoted(let part): bytes += part
                case .special, .comment: break
                }
            }
            domain = bytes
        }
        guard !local.isEmpty || domain?.isEmpty == false else { return nil }
        return MIMEAddress(localPart: MIMEText.headerString(local), domain: domain.map { MIMEText.headerString($0) })
    }

    /// A phrase's words joined by single spaces: atoms and quoted strings (and, when only they are there, a
    /// comment); with `decoded`, encoded words decoded.
    static func words(_ tokens: [Token], decoded: Bool) -> String {
        var parts: [String] = []
        for token in tokens {
            switch token {
            case .atom(let bytes): parts.append(MIMEText.headerString(bytes))
            case .quoted(let bytes): parts.append(MIMEText.headerString(bytes))
            case .comment(let bytes): if tokens.count == 1 { parts.append(MIMEText.headerString(bytes)) }
            case .literal(let bytes): parts.append(MIMEText.headerString(bytes))
            case .special(let c): parts.append(String(UnicodeScalar(c)))
            }
        }
        let joined = parts.joined(separator: " ")
        return decoded ? EncodedWords.decode(joined) : joined
    }

    // MARK: Writing

    static let atext: Set<UInt8> = Set(Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~".utf8))

    static func isDotAtom(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last, first != 0x2E, last != 0x2E else { return false }
        var previousDot = false
        for byte in bytes {
            if byte == 0x2E {
                if previousDot { return false }
                previousDot = true
                continue
            }
            previousDot = false
            // RFC 6532: UTF-8 is atext too.
            guard atext.contains(byte) || byte >= 0x80 else { return false }
        }
        return true
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars where scalar != "\r" && scalar != "\n" {
            if scalar == "\\" || scalar == "\"" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(scalar)
        }
        return out + "\""
    }

    /// A display name as a phrase every reader reads back as it was: atoms as they are (unless `alwaysQuote`),
    /// other printable ASCII as a quoted string with `\` and `"` escaped (RFC 5322 §3.2.4), anything else (or text
    /// that looks like an encoded word, which readers decode even inside quotes) as RFC 2047 encoded words.
    public static func phrase(_ name: String, alwaysQuote: Bool = false) -> String {
        let printable = name.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
        guard printable, !name.contains("=?") else { return EncodedWords.encode(name, always: true) }
        if alwaysQuote { return quoted(name) }
        let words = name.split(separator: " ", omittingEmptySubsequences: false)
        if !words.isEmpty, words.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { atext.contains($0) } }) { return name }
        return quoted(name)
    }
}

extension String {
    func trimmingSpace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
