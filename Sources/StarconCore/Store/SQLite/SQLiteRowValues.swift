import Foundation
import NIOCore
import SQLKit
import StarconSQLite

/// One result row for SQLKit. The store's column types (integers, text, their optionals) are read directly;
/// anything else goes through `SQLiteValueDecoder`.
struct SQLiteRowValues: SQLRow {
    let columns: SQLiteColumnNames
    let values: [SQLiteValue]

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
        let value = values[position]
        switch value {
        case .integer(let integer):
            if D.self == Int64.self { return integer as! D }
            if D.self == Int.self { return Int(integer) as! D }
            if D.self == Int64?.self { return Int64?(integer) as! D }
            if D.self == Int?.self { return Int?(Int(integer)) as! D }
        case .text(let text):
            if D.self == String.self { return text as! D }
            if D.self == String?.self { return String?(text) as! D }
        case .null:
            if D.self == Int64?.self { return Int64?.none as! D }
            if D.self == String?.self { return String?.none as! D }
            if D.self == Int?.self { return Int?.none as! D }
        default:
            break
        }
        return try SQLiteValueDecoder(value: value, column: SQLiteColumnKey(column)).decode(D.self)
    }
}

struct SQLiteColumnKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
