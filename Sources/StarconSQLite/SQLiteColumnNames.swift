internal import CSQLite

/// A statement's column names, computed once per prepared statement and shared by its rows.
public final class SQLiteColumnNames: Sendable {
    public let names: [String]
    /// The position of each name (the first, when a name repeats).
    public let index: [String: Int]
    public var count: Int { names.count }

    init(_ statement: OpaquePointer) {
        let count = Int(sqlite3_column_count(statement))
        var names: [String] = []
        var index: [String: Int] = [:]
        for column in 0..<count {
            let name = String(cString: sqlite3_column_name(statement, Int32(column)))
            names.append(name)
            if index[name] == nil { index[name] = column }
        }
        self.names = names
        self.index = index
    }
}
