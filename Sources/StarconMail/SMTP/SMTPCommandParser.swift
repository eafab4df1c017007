/// Turns one command line (without its CRLF) into an `SMTPCommand`, or the reply code that says why not.
///
/// RFC 5321 §4.1: verbs are case-insensitive; §4.1.2 has the path grammar, quoted here where it is used.
/// Liberal where real clients are (a space after `FROM:`, a path without angle brackets), strict about what
/// could confuse later steps (control characters, unbalanced quotes, an empty domain).
public enum SMTPCommandParser {
    public enum Failure: Error, Equatable, Sendable {
        /// 500 5.5.1: not a command we know.
        case unknownCommand
        /// 501 5.5.4 (or 553 5.1.3 for a bad address): a known command with bad arguments.
        case syntax(String)
        /// 553 5.1.3: the path is not a mailbox.
        case badAddress(String)
    }

    public static func parse(_ line: Substring) -> Result<SMTPCommand, Failure> {
        guard !line.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F }) else {
            return .failure(.syntax("control characters in the command"))
        }
        let trimmed = line.drop(while: { $0 == " " })
        let verbEnd = trimmed.firstIndex(of: " ") ?? trimmed.endIndex
        let verb = trimmed[..<verbEnd].uppercased()
        let rest = trimmed[verbEnd...].drop(while: { $0 == " " })
        let argument = String(rest.reversed().drop(while: { $0 == " " }).reversed())
        switch verb {
        case "EHLO", "HELO":
            guard !argument.isEmpty, !argument.contains(" ") else { return .failure(.syntax("\(verb) needs the client's domain")) }
            return .success(verb == "EHLO" ? .ehlo(argument) : .helo(argument))
        case "MAIL":
            return pathCommand(rest, keyword: "FROM:").flatMap { path, parameters in
                if path.isEmpty { return .success(.mail(from: nil, parameters: parameters)) }
                guard let address = mailbox(path) else { return .failure(.badAddress("the sender is not a mailbox")) }
                return .success(.mail(from: address, parameters: parameters))
            }
        case "RCPT":
            return pathCommand(rest, keyword: "TO:").flatMap { path, parameters in
                if path.lowercased() == "postmaster" {
                    return .success(.rcpt(to: MailAddress(localPart: String(path), domain: ""), parameters: parameters))
                }
                guard !path.isEmpty, let address = mailbox(path) else { return .failure(.badAddress("the recipient is not a mailbox")) }
                return .success(.rcpt(to: address, parameters: parameters))
            }
        case "DATA": return argument.isEmpty ? .success(.data) : .failure(.syntax("DATA takes no argument"))
        case "RSET": return argument.isEmpty ? .success(.rset) : .failure(.syntax("RSET takes no argument"))
        case "QUIT": return argument.isEmpty ? .success(.quit) : .failure(.syntax("QUIT takes no argument"))
        case "STARTTLS": return argument.isEmpty ? .success(.startTLS) : .failure(.syntax("STARTTLS takes no argument"))
        case "NOOP": return .success(.noop)
        case "HELP": return .success(.help)
        case "VRFY", "EXPN":
            guard !argument.isEmpty else { return .failure(.syntax("\(verb) needs an argument")) }
            return .success(verb == "VRFY" ? .vrfy(argument) : .expn(argument))
        case "AUTH":
            // auth-command = "AUTH" SP sasl-mech [SP initial-response]; sasl-mech = 1*20(UPPER-ALPHA / DIGIT / "-" / "_")
            let parts = argument.split(separator: " ", omittingEmptySubsequences: true)
            guard (1...2).contains(parts.count), parts[0].count <= 20,
                  parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                return .failure(.syntax("AUTH mechanism [initial-response]"))
            }
            return .success(.auth(mechanism: parts[0].uppercased(), initialResponse: parts.count == 2 ? String(parts[1]) : nil))
        default:
            return .failure(.unknownCommand)
        }
    }

    /// `"FROM:" Reverse-path [SP Mail-parameters]` or `"TO:" Forward-path [SP Rcpt-parameters]`: the path's
    /// mailbox text (source route dropped, brackets removed; empty for `<>`) and the parameters.
    static func pathCommand(_ rest: Substring, keyword: String) -> Result<(Substring, [SMTPParameter]), Failure> {
        guard rest.uppercased().hasPrefix(keyword) else { return .failure(.syntax("expected \(keyword)")) }
        var text = rest.dropFirst(keyword.count).drop(while: { $0 == " " })
        let path: Substring
        if text.first == "<" {
            guard let close = closingBracket(text) else { return .failure(.syntax("unbalanced <…>")) }
            path = text[text.index(after: text.startIndex)..<close]
            text = text[text.index(after: close)...]
        } else {
            // A bare mailbox (RFC 821 clients); it ends at the first space.
            let end = text.firstIndex(of: " ") ?? text.endIndex
            path = text[..<end]
            text = text[end...]
        }
        // A-d-l = At-domain *( "," At-domain ) ":" — a source route, to be ignored (RFC 5321 §4.1.2, C).
        var mailboxText = path
        if mailboxText.first == "@", let colon = mailboxText.firstIndex(of: ":") { mailboxText = mailboxText[mailboxText.index(after: colon)...] }
        var parameters: [SMTPParameter] = []
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            guard let parameter = parameter(word) else { return .failure(.syntax("bad parameter \(word.prefix(40))")) }
            parameters.append(parameter)
        }
        return .success((mailboxText, parameters))
    }

    /// The `>` that closes the path, skipping any inside a quoted local part.
    private static func closingBracket(_ text: Substring) -> Substring.Index? {
        var quoted = false, escaped = false
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            if escaped { escaped = false } else if quoted && character == "\\" { escaped = true }
            else if character == "\"" { quoted.toggle() } else if character == ">" && !quoted { return index }
            index = text.index(after: index)
        }
        return nil
    }

    /// `esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")`, `esmtp-value = 1*(%d33-60 / %d62-126 / UTF8-non-ascii)`
    static func parameter(_ word: Substring) -> SMTPParameter? {
        let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let keyword = parts[0]
        guard let first = keyword.first, first.isASCII, first.isLetter || first.isNumber,
              keyword.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { return nil }
        guard parts.count == 2 else { return SMTPParameter(String(keyword)) }
        let value = parts[1]
        guard !value.isEmpty, value.unicodeScalars.allSatisfy({ ($0.value >= 33 && $0.value <= 126 && $0 != "=") || $0.value > 127 }) else { return nil }
        return SMTPParameter(String(keyword), String(value))
    }

    /// `Mailbox = Local-part "@" ( Domain / address-literal )`, `Local-part = Dot-string / Quoted-string`.
    static func mailbox(_ text: Substring) -> MailAddress? {
        guard let at = lastAtOutsideQuotes(text) else { return nil }
        let local = text[..<at], domain = text[text.index(after: at)...]
        guard local.utf8.count <= 64, domain.utf8.count <= 255, isLocalPart(local), isDomain(domain) else { return nil }
        return MailAddress(localPart: String(local), domain: String(domain))
    }

    private static func lastAtOutsideQuotes(_ text: Substring) -> Substring.Index? {
        var quoted = false, escaped = false, found: Substring.Index?
        for index in text.indices {
            let character = text[index]
            if escaped { escaped = false; continue }
            if quoted && character == "\\" { escaped = true; continue }
            if character == "\"" { quoted.toggle() } else if character == "@" && !quoted { found = index }
        }
        return quoted ? nil : found
    }

    /// `Dot-string = Atom *("." Atom)`; `Quoted-string = DQUOTE *QcontentSMTP DQUOTE`.
    static func isLocalPart(_ text: Substring) -> Bool {
        guard !text.isEmpty else { return false }
        if text.first == "\"" {
            guard text.count >= 2, text.last == "\"" else { return false }
            var escaped = false
            for character in text.dropFirst().dropLast() {
                if escaped { escaped = false; continue }
                if character == "\\" { escaped = true; continue }
                if character == "\"" { return false }
            }
            return !escaped
        }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { atom in
            !atom.isEmpty && atom.unicodeScalars.allSatisfy { isAtext($0) }
        }
    }

    /// `atext` of RFC 5322 §3.2.3, plus UTF-8 (RFC 6531 §3.3).
    static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value > 127 { return true }
        if scalar.properties.isAlphabetic && scalar.isASCII { return true }
        if ("0"..."9").contains(scalar) { return true }
        return "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar)
    }

    /// `Domain = sub-domain *("." sub-domain)`, `sub-domain = Let-dig [Ldh-str]` (or a U-label), or an
    /// `address-literal` in brackets.
    static func isDomain(_ text: Substring) -> Bool {
        guard !text.isEmpty else { return false }
        if text.first == "[" {
            guard text.last == "]", text.count > 2 else { return false }
            return text.dropFirst().dropLast().allSatisfy { $0.isASCII && ($0.isHexDigit || $0 == "." || $0 == ":" || $0.isLetter) }
        }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard !label.isEmpty, label.utf8.count <= 63, label.first != "-", label.last != "-" else { return false }
            return label.unicodeScalars.allSatisfy { $0.value > 127 || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-")) }
        }
    }
}
