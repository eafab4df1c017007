/// One SQLite value, as bound to a statement's parameter or read from a result column (SQLite's five storage
/// classes). Blobs are bytes; text is UTF-8.
public enum SQLiteValue: Sendable, Equatable {
    case integer(Int64)
    case float(Double)
    case text(String)
    case blob([UInt8])
    case null
}

/// An error from libsqlite3, with its (extended) result code and message.
public struct SQLiteStoreError: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "SQLite error \(code): \(message)" }
}
