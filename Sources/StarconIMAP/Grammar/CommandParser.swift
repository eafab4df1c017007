/// Bytes to a typed command. The input is one whole command as `CommandFramer` delivers it: its lines and
/// literals, without the final CRLF. Pure: the same bytes always give the same answer.
public enum CommandParser {
    public static func parse(_ bytes: [UInt8]) -> Result<TaggedCommand, IMAPParseError> {
        var cursor = ByteCursor(bytes)
        guard let tagBytes = try? cursor.run("a tag", while: IMAPCharacters.isTagChar) else {
            return .failure(IMAPParseError("expected a tag"))
        }
        let tag = String(decoding: tagBytes, as: UTF8.self)
        do {
            try cursor.space()
            let command = try cursor.command()
            guard cursor.atEnd else { throw cursor.fail("unexpected characters after the command") }
            return .success(TaggedCommand(tag: tag, command: command))
        } catch var error as IMAPParseError {
            error.tag = tag
            return .failure(error)
        } catch {
            return .failure(IMAPParseError(tag: tag, "bad command"))
        }
    }

    /// The tag at the start of a command line, for refusing a command whose rest cannot be read.
    public static func tag(of line: some Collection<UInt8>) -> String? {
        let tag = line.prefix(while: IMAPCharacters.isTagChar)
        guard !tag.isEmpty, tag.count < line.count, line[line.index(line.startIndex, offsetBy: tag.count)] == UInt8(ascii: " ") else {
            return nil
        }
        return String(decoding: tag, as: UTF8.self)
    }
}

extension ByteCursor {
    mutating func command() throws -> IMAPCommand {
        let name = try run("a command", while: { IMAPCharacters.isAtomChar($0) && $0 != UInt8(ascii: ".") }).map(IMAPCharacters.upper)
        let word = String(decoding: name, as: UTF8.self)
        switch word {
        // command-any = "CAPABILITY" / "LOGOUT" / "NOOP" / x-command / id
        case "CAPABILITY": return .capability
        case "NOOP": return .noop
        case "LOGOUT": return .logout
        // command-nonauth =/ "STARTTLS"
        case "STARTTLS": return .startTLS
        // id = "ID" SP id-params-list
        // id-params-list = "(" *(string SP nstring) ")" / nil
        case "ID":
            try space()
            if keyword("NIL") { return .id(nil) }
            try expect(UInt8(ascii: "("), "(")
            var pairs: [IDParameter] = []
            while !skip(UInt8(ascii: ")")) {
                if !pairs.isEmpty { try space() }
                let field = try text(string("a field"), "a field")
                try space()
                pairs.append(IDParameter(field, try nstring("a value")))
                guard pairs.count <= 30 else { throw fail("too many ID fields") }  // RFC 2971 §3.3
            }
            return .id(pairs)
        // login = "LOGIN" SP userid SP password
        // userid = astring ; password = astring
        case "LOGIN":
            try space()
            let user = try astring("a user name")
            try space()
            return .login(user: user, password: try astring("a password"))
        // authenticate = "AUTHENTICATE" SP auth-type [SP (base64 / "=")]   ; initial response: RFC 4959
        case "AUTHENTICATE":
            try space()
            let mechanism = try atom("a mechanism").uppercased()
            var initial: String?
            if skip(UInt8(ascii: " ")) {
                initial = String(decoding: try run("an initial response", while: { IMAPCharacters.isAtomChar($0) }), as: UTF8.self)
            }
            return .authenticate(mechanism: mechanism, initialResponse: initial)
        // select = "SELECT" SP mailbox [select-params] ; examine = "EXAMINE" SP mailbox [select-params]
        case "SELECT": try space(); let name = try mailbox(); return .select(name, condStore: try selectParameters())
        case "EXAMINE": try space(); let name = try mailbox(); return .examine(name, condStore: try selectParameters())
        // create = "CREATE" SP mailbox ; delete = "DELETE" SP mailbox
        case "CREATE": try space(); return .create(try mailbox())
        case "DELETE": try space(); return .delete(try mailbox())
        // rename = "RENAME" SP mailbox SP mailbox
        case "RENAME":
            try space()
            let from = try mailbox()
            try space()
            return .rename(from: from, to: try mailbox())
        // subscribe = "SUBSCRIBE" SP mailbox ; unsubscribe = "UNSUBSCRIBE" SP mailbox
        case "SUBSCRIBE": try space(); return .subscribe(try mailbox())
        case "UNSUBSCRIBE": try space(); return .unsubscribe(try mailbox())
        // list = "LIST" SP mailbox SP list-mailbox ; lsub = "LSUB" SP mailbox SP list-mailbox
        case "LIST", "LSUB":
            try space()
            let reference = try mailboxOrEmpty()
            try space()
            let pattern = try listMailbox()
            return word == "LIST" ? .list(reference: reference, pattern: pattern) : .lsub(reference: reference, pattern: pattern)
        // status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"
        case "STATUS":
            try space()
            let mailbox = try mailbox()
            try space()
            try expect(UInt8(ascii: "("), "(")
            var attributes: [StatusAttribute] = []
            repeat {
                let word = try atom("a status item").uppercased()
                guard let attribute = StatusAttribute(rawValue: word) else { throw fail("unknown status item \(word)") }
                attributes.append(attribute)
                guard attributes.count <= IMAPLimits.maxListItems else { throw fail("too many status items") }
            } while skip(UInt8(ascii: " "))
            try expect(UInt8(ascii: ")"), ")")
            return .status(mailbox, attributes)
        // append = "APPEND" SP mailbox [SP flag-list] [SP date-time] SP literal
        case "APPEND":
            try space()
            let mailbox = try mailbox()
            try space()
            var flags: [String] = []
            if peek == UInt8(ascii: "(") {
                flags = try flagList()
                try space()
            }
            var date: Int64?
            if peek == UInt8(ascii: "\"") {
                date = try dateTime()
                try space()
            }
            guard peek == UInt8(ascii: "{") else { throw fail("expected the message as a literal") }
            return .append(mailbox, flags: flags, internalDate: date, message: try literal())
        // namespace = "NAMESPACE" (RFC 2342)
        case "NAMESPACE": return .namespace
        // enable = "ENABLE" 1*(SP capability) (RFC 5161)
        case "ENABLE":
            var capabilities: [String] = []
            while skip(UInt8(ascii: " ")) {
                capabilities.append(try atom("a capability").uppercased())
                guard capabilities.count <= IMAPLimits.maxListItems else { throw fail("too many capabilities") }
            }
            guard !capabilities.isEmpty else { throw fail("ENABLE needs a capability") }
            return .enable(capabilities)
        // idle = "IDLE" CRLF "DONE" (RFC 2177)
        case "IDLE": return .idle
        // command-select = "CHECK" / "CLOSE" / "EXPUNGE" / copy / fetch / store / uid / search
        case "CHECK": return .check
        case "CLOSE": return .close
        case "UNSELECT": return .unselect
        case "EXPUNGE": return .expunge
        case "SEARCH": return try search(uid: false)
        case "FETCH": return try fetch(uid: false)
        case "STORE": return try store(uid: false)
        case "COPY": return try copy(uid: false, move: false)
        case "MOVE": return try copy(uid: false, move: true)
        // uid = "UID" SP (copy / move / fetch / search / store / uid-expunge)
        // uid-expunge = "EXPUNGE" SP sequence-set   (RFC 4315)
        case "UID":
            try space()
            let sub = String(decoding: try run("a UID command", while: IMAPCharacters.isAtomChar).map(IMAPCharacters.upper), as: UTF8.self)
            switch sub {
            case "SEARCH": return try search(uid: true)
            case "FETCH": return try fetch(uid: true)
            case "STORE": return try store(uid: true)
            case "COPY": return try copy(uid: true, move: false)
            case "MOVE": return try copy(uid: true, move: true)
            case "EXPUNGE": try space(); return .uidExpunge(try sequenceSet())
            default: throw fail("unknown UID command")
            }
        default: throw fail("unknown command")
        }
    }

    // select-params = SP "(" select-param *(SP select-param) ")"   (RFC 4466)
    // select-param  = "CONDSTORE"                                  (RFC 7162; the only one known)
    /// Whether CONDSTORE was asked for.
    mutating func selectParameters() throws -> Bool {
        guard skip(UInt8(ascii: " ")) else { return false }
        try expect(UInt8(ascii: "("), "(")
        var condStore = false
        repeat {
            let word = try atom("a select parameter").uppercased()
            guard word == "CONDSTORE" else { throw fail("unknown select parameter \(word)") }
            condStore = true
        } while skip(UInt8(ascii: " "))
        try expect(UInt8(ascii: ")"), ")")
        return condStore
    }

    // mod-sequence-value  = 1*DIGIT   ; 1 to 9223372036854775807 (RFC 7162 §7: 63-bit)
    // mod-sequence-valzer = "0" / mod-sequence-value
    mutating func modSequence(zero: Bool) throws -> Int64 {
        let digits = try run("a mod-sequence", while: IMAPCharacters.isDigit)
        guard digits.count <= 19, let value = Int64(String(decoding: digits, as: UTF8.self)), zero || value > 0 else {
            throw fail("bad mod-sequence")
        }
        return value
    }

    /// A LIST reference may be `""`.
    mutating func mailboxOrEmpty() throws -> String {
        let wire = try astring("a reference")
        return wire.isEmpty ? "" : try Self.mailboxName(wire)
    }

    // copy = "COPY" SP sequence-set SP mailbox ; move = "MOVE" SP sequence-set SP mailbox (RFC 6851)
    mutating func copy(uid: Bool, move: Bool) throws -> IMAPCommand {
        try space()
        let set = try sequenceSet()
        try space()
        let mailbox = try mailbox()
        return move ? .move(set, mailbox, uid: uid) : .copy(set, mailbox, uid: uid)
    }

    // store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
    // store-modifiers = SP "(" store-modifier *(SP store-modifier) ")"   (RFC 4466)
    // store-modifier  = "UNCHANGEDSINCE" SP mod-sequence-valzer          (RFC 7162)
    // store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
    mutating func store(uid: Bool) throws -> IMAPCommand {
        try space()
        let set = try sequenceSet()
        try space()
        var unchangedSince: Int64?
        if skip(UInt8(ascii: "(")) {
            guard keyword("UNCHANGEDSINCE") else { throw fail("unknown store modifier") }
            try space()
            unchangedSince = try modSequence(zero: true)
            try expect(UInt8(ascii: ")"), ")")
            try space()
        }
        let mode: StoreAction.Mode = skip(UInt8(ascii: "+")) ? .add : skip(UInt8(ascii: "-")) ? .remove : .replace
        let silent = keyword("FLAGS.SILENT")
        guard silent || keyword("FLAGS") else { throw fail("expected FLAGS") }
        try space()
        var flags: [String]
        if peek == UInt8(ascii: "(") {
            flags = try flagList()
        } else {
            flags = [try flag()]
            while skip(UInt8(ascii: " ")) {
                flags.append(try flag())
                guard flags.count <= IMAPLimits.maxListItems else { throw fail("too many flags") }
            }
        }
        return .store(set, StoreAction(mode, silent: silent, flags: flags, unchangedSince: unchangedSince), uid: uid)
    }
}
