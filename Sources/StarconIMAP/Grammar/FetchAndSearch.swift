extension ByteCursor {
    // fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")")
    //         [fetch-modifiers]
    // fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"   (RFC 4466)
    // fetch-modifier  = "CHANGEDSINCE" SP mod-sequence-valzer            (RFC 7162; it implies MODSEQ)
    mutating func fetch(uid: Bool) throws -> IMAPCommand {
        try space()
        let set = try sequenceSet()
        try space()
        var attributes: [FetchAttribute]
        if keyword("ALL") { attributes = FetchAttribute.all }
        else if keyword("FAST") { attributes = FetchAttribute.fast }
        else if keyword("FULL") { attributes = FetchAttribute.full }
        else if skip(UInt8(ascii: "(")) {
            attributes = []
            repeat {
                attributes.append(try fetchAttribute())
                guard attributes.count <= IMAPLimits.maxListItems else { throw fail("too many fetch items") }
            } while skip(UInt8(ascii: " "))
            try expect(UInt8(ascii: ")"), ")")
        } else {
            attributes = [try fetchAttribute()]
        }
        var changedSince: Int64?
        if skip(UInt8(ascii: " ")) {
            try expect(UInt8(ascii: "("), "(")
            guard keyword("CHANGEDSINCE") else { throw fail("unknown fetch modifier") }
            try space()
            changedSince = try modSequence(zero: true)
            try expect(UInt8(ascii: ")"), ")")
            if !attributes.contains(.modseq) { attributes.append(.modseq) }
        }
        // A UID FETCH always answers with UIDs (RFC 3501 §6.4.8).
        if uid, !attributes.contains(.uid) { attributes.insert(.uid, at: 0) }
        return .fetch(set, attributes, uid: uid, changedSince: changedSince)
    }

    // fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822" [".HEADER" / ".SIZE" / ".TEXT"] /
    //             "BODY" ["STRUCTURE"] / "UID" / "BODY" section ["<" number "." nz-number ">"] /
    //             "BODY.PEEK" section ["<" number "." nz-number ">"]
    mutating func fetchAttribute() throws -> FetchAttribute {
        let name = String(decoding: try run("a fetch item", while: { IMAPCharacters.isAtomChar($0) && $0 != UInt8(ascii: "[") })
            .map(IMAPCharacters.upper), as: UTF8.self)
        switch name {
        case "ENVELOPE": return .envelope
        case "FLAGS": return .flags
        case "INTERNALDATE": return .internalDate
        case "RFC822": return .rfc822
        case "RFC822.HEADER": return .rfc822Header
        case "RFC822.SIZE": return .rfc822Size
        case "RFC822.TEXT": return .rfc822Text
        case "BODYSTRUCTURE": return .bodyStructure
        case "UID": return .uid
        case "MODSEQ": return .modseq
        case "BODY", "BODY.PEEK":
            guard peek == UInt8(ascii: "[") else {
                guard name == "BODY" else { throw fail("BODY.PEEK needs a section") }
                return .body
            }
            let section = try section()
            var partial: FetchAttribute.Partial?
            if skip(UInt8(ascii: "<")) {
                let offset = try number("an offset")
                try expect(UInt8(ascii: "."), ".")
                let length = try nzNumber("a length")
                try expect(UInt8(ascii: ">"), ">")
                partial = FetchAttribute.Partial(offset: Int(offset), length: Int(length))
            }
            return .section(section, peek: name == "BODY.PEEK", partial: partial)
        default: throw fail("unknown fetch item \(name)")
        }
    }

    // section         = "[" [section-spec] "]"
    // section-spec    = section-msgtext / (section-part ["." section-text])
    // section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
    // section-part    = nz-number *("." nz-number)
    // section-text    = section-msgtext / "MIME"
    mutating func section() throws -> SectionSpec {
        try expect(UInt8(ascii: "["), "[")
        var spec = SectionSpec()
        if skip(UInt8(ascii: "]")) { return spec }
        while let byte = peek, IMAPCharacters.isDigit(byte) {
            spec.part.append(Int(try nzNumber("a part number")))
            guard spec.part.count <= IMAPLimits.maxNesting else { throw fail("part number too deep") }
            guard skip(UInt8(ascii: ".")) else { break }
        }
        if peek != UInt8(ascii: "]") {
            if keyword("HEADER.FIELDS.NOT") { try space(); spec.text = .headerFieldsNot(try headerList()) }
            else if keyword("HEADER.FIELDS") { try space(); spec.text = .headerFields(try headerList()) }
            else if keyword("HEADER") { spec.text = .header }
            else if keyword("TEXT") { spec.text = .text }
            else if !spec.part.isEmpty, keyword("MIME") { spec.text = .mime }
            else { throw fail("bad section") }
        }
        try expect(UInt8(ascii: "]"), "]")
        return spec
    }

    // header-list = "(" header-fld-name *(SP header-fld-name) ")"
    // header-fld-name = astring
    mutating func headerList() throws -> [String] {
        try expect(UInt8(ascii: "("), "(")
        var names: [String] = []
        repeat {
            names.append(try astring("a header name").uppercased())
            guard names.count <= IMAPLimits.maxListItems else { throw fail("too many header names") }
        } while skip(UInt8(ascii: " "))
        try expect(UInt8(ascii: ")"), ")")
        return names
    }

    // search = "SEARCH" [SP "CHARSET" SP astring] 1*(SP search-key)
    // Only UTF-8 and US-ASCII are known charsets (RFC 3501 §6.4.4: else NO [BADCHARSET]).
    mutating func search(uid: Bool) throws -> IMAPCommand {
        try space()
        if keyword("CHARSET") {
            try space()
            let charset = try astring("a charset").uppercased()
            guard charset == "UTF-8" || charset == "US-ASCII" else { throw fail("[BADCHARSET (UTF-8 US-ASCII)] unknown charset") }
            try space()
        }
        var keys = [try searchKey()]
        while skip(UInt8(ascii: " ")) {
            keys.append(try searchKey())
            guard keys.count <= IMAPLimits.maxSearchKeys else { throw fail("too many search keys") }
        }
        return .search(keys.count == 1 ? keys[0] : .and(keys), uid: uid)
    }

    // search-key = "ALL" / "ANSWERED" / "BCC" SP astring / "BEFORE" SP date / "BODY" SP astring / "CC" SP astring /
    //              "DELETED" / "FLAGGED" / "FROM" SP astring / "KEYWORD" SP flag-keyword / "NEW" / "OLD" / "ON" SP date /
    //              "RECENT" / "SEEN" / "SINCE" SP date / "SUBJECT" SP astring / "TEXT" SP astring / "TO" SP astring /
    //              "UNANSWERED" / "UNDELETED" / "UNFLAGGED" / "UNKEYWORD" SP flag-keyword / "UNSEEN" / "DRAFT" /
    //              "HEADER" SP header-fld-name SP astring / "LARGER" SP number / "NOT" SP search-key /
    //              "OR" SP search-key SP search-key / "SENTBEFORE" SP date / "SENTON" SP date / "SENTSINCE" SP date /
    //              "SMALLER" SP number / "UID" SP sequence-set / "UNDRAFT" / sequence-set / "(" search-key *(SP search-key) ")"
    mutating func searchKey() throws -> SearchKey {
        if skip(UInt8(ascii: "(")) {
            try enter()
            defer { leave() }
            var keys = [try searchKey()]
            while skip(UInt8(ascii: " ")) {
                keys.append(try searchKey())
                guard keys.count <= IMAPLimits.maxSearchKeys else { throw fail("too many search keys") }
            }
            try expect(UInt8(ascii: ")"), ")")
            return keys.count == 1 ? keys[0] : .and(keys)
        }
        if let byte = peek, IMAPCharacters.isDigit(byte) || byte == UInt8(ascii: "*") { return .sequence(try sequenceSet()) }
        let word = try atom("a search key").uppercased()
        func argument() throws -> String { try space(); return try astring("a search string") }
        func date() throws -> SearchDate { try space(); return try searchDate() }
        switch word {
        case "ALL": return .all
        case "ANSWERED": return .answered
        case "DELETED": return .deleted
        case "DRAFT": return .draft
        case "FLAGGED": return .flagged
        case "SEEN": return .seen
        case "RECENT": return .recent
        case "NEW": return .new
        case "OLD": return .old
        case "UNANSWERED": return .unanswered
        case "UNDELETED": return .undeleted
        case "UNDRAFT": return .undraft
        case "UNFLAGGED": return .unflagged
        case "UNSEEN": return .unseen
        case "KEYWORD": try space(); return .keyword(try flag())
        case "UNKEYWORD": try space(); return .unkeyword(try flag())
        case "BCC": return .bcc(try argument())
        case "CC": return .cc(try argument())
        case "FROM": return .from(try argument())
        case "TO": return .to(try argument())
        case "SUBJECT": return .subject(try argument())
        case "BODY": return .body(try argument())
        case "TEXT": return .text(try argument())
        case "HEADER":
            let name = try argument()
            return .header(name, try argument())
        case "BEFORE": return .before(try date())
        case "ON": return .on(try date())
        case "SINCE": return .since(try date())
        case "SENTBEFORE": return .sentBefore(try date())
        case "SENTON": return .sentOn(try date())
        case "SENTSINCE": return .sentSince(try date())
        case "LARGER": try space(); return .larger(Int(try number("a size")))
        case "SMALLER": try space(); return .smaller(Int(try number("a size")))
        case "UID": try space(); return .uid(try sequenceSet())
        // search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer   (RFC 7162)
        // search-modseq-ext  = SP entry-name SP entry-type-req
        // entry-type-req     = "priv" / "shared" / "all"
        case "MODSEQ":
            try space()
            if peek == UInt8(ascii: "\"") {
                _ = try string("an entry name")
                try space()
                let kind = try atom("an entry type").lowercased()
                guard ["priv", "shared", "all"].contains(kind) else { throw fail("bad entry type") }
                try space()
            }
            return .modseq(try modSequence(zero: true))
        case "NOT":
            try space()
            try enter()
            defer { leave() }
            return .not(try searchKey())
        case "OR":
            try space()
            try enter()
            defer { leave() }
            let left = try searchKey()
            try space()
            return .or(left, try searchKey())
        default: throw fail("unknown search key \(word)")
        }
    }
}
