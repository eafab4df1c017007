/// What a mailbox name and a keyword may be, and how many of each a member may have.
public enum MailRules {
    public static let maxNameLength = 200
    public static let maxMailboxes = 1_000
    public static let maxKeywordLength = 64
    public static let maxKeywordsPerMessage = 50

    /// The name as stored: a first level spelled INBOX in any case is "INBOX" (RFC 3501 §5.1: INBOX is
    /// case-insensitive; other names are not). Throws for an empty level, a leading or trailing `/`, control
    /// characters or IMAP's wildcards `*` and `%`.
    public static func normalizedName(_ name: String) throws(CoreError) -> String {
        guard !name.isEmpty, name.count <= maxNameLength else { throw CoreError.invalid("mail_bad_mailbox_name", field: "name") }
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "*" || $0 == "%" }) else {
            throw CoreError.invalid("mail_bad_mailbox_name", field: "name")
        }
        var levels = name.split(separator: Mailbox.delimiter, omittingEmptySubsequences: false).map(String.init)
        guard levels.allSatisfy({ !$0.isEmpty && $0.trimmingWhitespace() == $0 }) else {
            throw CoreError.invalid("mail_bad_mailbox_name", field: "name")
        }
        if levels[0].uppercased() == "INBOX" { levels[0] = "INBOX" }
        return levels.joined(separator: String(Mailbox.delimiter))
    }

    /// `flag-keyword = atom` (RFC 3501 §9) without a backslash (that is for system flags), at most 64 bytes.
    public static func validKeyword(_ keyword: String) -> Bool {
        guard !keyword.isEmpty, keyword.utf8.count <= maxKeywordLength else { return false }
        // ATOM-CHAR: any CHAR except atom-specials: ( ) { SP CTL % * " \ ]
        return keyword.utf8.allSatisfy { byte in
            byte > 0x20 && byte < 0x7F && !"(){%*\"\\]".utf8.contains(byte)
        }
    }

    /// Keywords checked, without duplicates (compared without case, as IMAP clients do), sorted.
    public static func cleanKeywords(_ keywords: [String]) throws(CoreError) -> [String] {
        var seen = Set<String>(), result: [String] = []
        for keyword in keywords {
            guard validKeyword(keyword) else { throw CoreError.invalid("mail_bad_keyword", field: "keywords") }
            if seen.insert(keyword.lowercased()).inserted { result.append(keyword) }
        }
        guard result.count <= maxKeywordsPerMessage else { throw CoreError.invalid("mail_too_many_keywords", field: "keywords") }
        return result.sorted()
    }
}
