/// Every limit the grammar enforces, in one place. A command over one of them is refused with BAD (or NO for a
/// literal) before more of it is read or anything is changed.
public enum IMAPLimits {
    /// Octets in one line of a command, without its CRLF (literals are not lines). RFC 7162 §4 asks servers to
    /// take at least 8,192; a mail client's UID set after a long sync is the longest line in practice.
    public static let maxLineLength = 16_384
    /// Octets in one literal. An APPEND's message is the largest literal; the mail store's own size limit is
    /// checked again after it is read.
    public static let maxLiteralSize = 32 * 1024 * 1024
    /// Literals in one command (LOGIN has two, APPEND one; a long list of astrings needs no more).
    public static let maxLiterals = 16
    /// Depth of parentheses, NOT and OR in a SEARCH, and of lists anywhere.
    public static let maxNesting = 16
    /// Ranges in one sequence set, and keys in one SEARCH.
    public static let maxSequenceRanges = 2_048
    public static let maxSearchKeys = 256
    /// Attributes in one FETCH, flags in one STORE or APPEND, parts of one section number.
    public static let maxListItems = 64
}
