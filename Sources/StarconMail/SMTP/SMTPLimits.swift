/// Every limit of the SMTP listener in one place.
public enum SMTPLimits {
    /// A command line, CRLF included (RFC 5321 §4.5.3.1.4 says 512; AUTH's initial response and long
    /// parameter lists need more, and RFC 4954 §4 allows 12,288 for AUTH).
    public static let maxCommandLine = 12_288
    /// A text line inside DATA, CRLF included (RFC 5321 §4.5.3.1.6).
    public static let maxDataLine = 1_000
    /// The largest message accepted (advertised as SIZE).
    public static let maxMessageBytes = 25 * 1024 * 1024
    /// Recipients in one transaction (RFC 5321 §4.5.3.1.8 requires at least 100).
    public static let maxRecipients = 100
    /// Wrong commands before the connection is closed (a client talking another protocol).
    public static let maxBadCommands = 20
    /// Failed AUTH attempts before the connection is closed.
    public static let maxAuthFailures = 3
    /// Seconds a connection may stay silent (RFC 5321 §4.5.3.2 suggests 5 minutes per command).
    public static let idleTimeoutSeconds: Int64 = 300
}
