import SQLKit
import SQLiteKit
import SQLiteNIO
import VaporCSQLite

/// A statement's column names, computed once per prepared statement and shared by its rows.
final class SQLiteColumnNames: Sendable {
    let names: [String]
    let index: [String: Int]
    var count: Int { names.count }

    init(_ statement: OpaquePointer) {
        let count = Int(sqlite_nio_sqlite3_column_count(statement))
        var names: [String] = []
        var index: [String: Int] = [:]
        for column in 0..<count {
            let name = String(cString: sqlite_nio_sqlite3_column_name(statement, Int32(column)))
            names.append(name)
            if index[name] == nil { index[name] = column }
        }
        self.names = names
        self.index = index
    }
}

/// One result row. Decodes the store's common column types directly and anything else through
/// SQLiteKit's decoder, so it reads exactly as sqlite-kit's rows did.
struct SQLiteRowValues: SQLRow {
    let columns: SQLiteColumnNames
    let values: [SQLiteData]

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.index[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let position = columns.index[column] else { return true }
        return values[position] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let position = columns.index[column] else {
            throw DecodingError.keyNotFound(SQLiteColumnKey(column), .init(codingPath: [], debugDescription: "no column \(column)"))
        }
        let data = values[position]
        switch data {
        case .integer(let value):
            if D.self == Int64.self { return Int64(value) as! D }
            if D.self == Int.self { return value as! D }
            if D.self == Int64?.self { return Int64?(Int64(value)) as! D }
            if D.self == Int?.self { return Int?(value) as! D }
        case .text(let value):
            if D.self == String.self { return value as! D }
            if D.self == String?.self { return String?(value) as! D }
        case .null:
            if D.self == Int64?.self { return Int64?.none as! D }
            if D.self == String?.self { return String?.none as! D }
            if D.self == Int?.self { return Int?.none as! D }
        default:
            break
        }
        return try SQLiteDataDecoder().decode(D.self, from: data)
    }
}

private struct SQLiteColumnKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
