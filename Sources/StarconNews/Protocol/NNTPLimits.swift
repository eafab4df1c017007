/// Every NNTP limit in one place.
public enum NNTPLimits {
    /// RFC 3977 §3.1 allows 512 octets per command line; we accept up to this many and answer 501 beyond.
    public static let maxCommandLine = 2_000
    /// Longest line inside a posted article.
    public static let maxArticleLine = 2_000
    /// Largest article accepted by POST, in octets.
    public static let maxArticleBytes = 1_000_000
    /// Largest number of lines in one OVER/HDR/LISTGROUP answer.
    public static let maxRangeItems = 100_000
    /// An idle connection is closed after this many seconds (RFC 3977 §3.1.1 recommends at least 3 minutes).
    public static let idleTimeoutSeconds: Int64 = 600
    /// A POST whose data does not end within this many seconds is abandoned.
    public static let postTimeoutSeconds: Int64 = 120
    /// Failed AUTHINFO attempts on one connection before it is closed.
    public static let maxAuthFailures = 3
}
