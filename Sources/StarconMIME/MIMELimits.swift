/// Bounds on what one message may make the parser build, against MIME bombs (deep nesting, thousands of
/// parts, endless headers). Over a bound the parse still returns: what is left becomes one opaque leaf and the
/// entity that holds it carries a `MIMEProblem.limitExceeded`.
public struct MIMELimits: Sendable, Hashable {
    /// Multipart and message/rfc822 levels below the top (the top message is depth 0).
    public var maxDepth: Int
    /// Entities in the whole tree, the top one included.
    public var maxParts: Int
    /// Header fields kept per entity; further fields are skipped (their bytes stay in the header range).
    public var maxHeaderFields: Int
    /// Octets of one entity's header; past it the header ends and the rest is the body.
    public var maxHeaderBytes: Int

    public init(maxDepth: Int = 32, maxParts: Int = 1000, maxHeaderFields: Int = 1000, maxHeaderBytes: Int = 256 * 1024) {
        self.maxDepth = maxDepth
        self.maxParts = maxParts
        self.maxHeaderFields = maxHeaderFields
        self.maxHeaderBytes = maxHeaderBytes
    }

    public static let `default` = MIMELimits()
}

/// Something the parser or a decoder met and worked around; never fatal.
public enum MIMEProblem: Sendable, Hashable {
    public enum Limit: String, Sendable, Hashable {
        case depth, parts, headerFields, headerBytes
    }
    case limitExceeded(Limit)
    /// A header line with no colon, skipped.
    case malformedHeaderLine(offset: Int)
    /// A multipart with no boundary parameter, or whose boundary never appears: read as one text/plain leaf.
    case missingBoundary
    /// A multipart whose closing delimiter never came: its last part runs to the end.
    case missingClosingBoundary
    /// Base64 with characters outside the alphabet or leftover bits.
    case badBase64
    /// Quoted-printable with an `=` not followed by two hex digits or a line end.
    case badQuotedPrintable
    /// A charset this platform cannot convert, or bytes invalid in it: shown with U+FFFD.
    case undecodableText(charset: String)
}
