/// Why a command was refused: its tag when one could be read (the reply is then tagged `BAD`, else
/// `* BAD`), and a short text for the client.
public struct IMAPParseError: Error, Equatable, Sendable {
    public var tag: String?
    public var message: String

    public init(tag: String? = nil, _ message: String) {
        self.tag = tag
        self.message = message
    }
}
