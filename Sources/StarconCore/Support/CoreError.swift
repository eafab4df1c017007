/// An error a member can be told about. Each surface turns it into its own terms: a form message, a JSON
/// error with a status, a protocol reply code. `key` names the message in the UI catalogues
/// (`error.<key>`); `detail` carries values the message may show (never secrets).
public struct CoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Input breaks a rule; nothing changed.
        case invalid
        /// Not signed in, or the credentials are wrong.
        case unauthenticated
        /// Signed in, but this member may not do this.
        case forbidden
        case notFound
        /// Clashes with what exists (a taken username).
        case conflict
        /// Too many attempts; try again after `retryAfterSeconds`.
        case throttled
    }

    public let kind: Kind
    public let key: String
    public let field: String?
    public let retryAfterSeconds: Int?

    public init(_ kind: Kind, _ key: String, field: String? = nil, retryAfterSeconds: Int? = nil) {
        self.kind = kind
        self.key = key
        self.field = field
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(kind): \(key)" }

    public static func invalid(_ key: String, field: String? = nil) -> CoreError { CoreError(.invalid, key, field: field) }
    public static let notFound = CoreError(.notFound, "not_found")
    public static let forbidden = CoreError(.forbidden, "forbidden")
}
