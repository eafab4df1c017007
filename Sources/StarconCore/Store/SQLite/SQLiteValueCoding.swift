import Foundation
import NIOCore
import StarconSQLite

/// Reads one column's value as a `Decodable` with a single value: numbers, text, booleans, bytes, optionals
/// and what is built on them (`RawRepresentable` enums). A keyed or unkeyed type is a clear error.
struct SQLiteValueDecoder: Decoder, SingleValueDecodingContainer {
    let value: SQLiteValue
    let column: SQLiteColumnKey
    var codingPath: [any CodingKey] { [column] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> { throw mismatch(Key.self) }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw mismatch([Any].self) }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { value == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .integer(let integer) = value else { throw mismatch(type) }
        return integer != 0
    }
    func decode(_ type: String.Type) throws -> String {
        guard case .text(let text) = value else { throw mismatch(type) }
        return text
    }
    func decode(_ type: Double.Type) throws -> Double {
        switch value {
        case .float(let float): return float
        case .integer(let integer): return Double(integer)
        default: throw mismatch(type)
        }
    }
    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == [UInt8].self { return try bytes() as! T }
        if T.self == Data.self { return Data(try bytes()) as! T }
        if T.self == ByteBuffer.self { return ByteBuffer(bytes: try bytes()) as! T }
        return try T(from: self)
    }

    private func bytes() throws -> [UInt8] {
        switch value {
        case .blob(let bytes): return bytes
        case .text(let text): return Array(text.utf8)
        default: throw mismatch([UInt8].self)
        }
    }

    private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        guard case .integer(let integer) = value, let exact = I(exactly: integer) else { throw mismatch(type) }
        return exact
    }

    private func mismatch(_ type: Any.Type) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "column \(column.stringValue) holds \(value), not \(type)"))
    }
}

/// Turns one bound value into the `SQLiteValue` that libsqlite3 is given. The common types are matched
/// directly; others (optionals, enums with raw values) are encoded through a single-value container.
enum SQLiteValueEncoder {
    static func encode(_ value: any Encodable) throws -> SQLiteValue {
        switch value {
        case let value as Int64: return .integer(value)
        case let value as Int: return .integer(Int64(value))
        case let value as String: return .text(value)
        case let value as Bool: return .integer(value ? 1 : 0)
        case let value as Double: return .float(value)
        case let value as [UInt8]: return .blob(value)
        case let value as Data: return .blob(Array(value))
        case let value as ByteBuffer: return .blob(Array(value.readableBytesView))
        default:
            let encoder = SingleValueEncoder()
            try value.encode(to: encoder)
            guard let encoded = encoder.box.value else {
                throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(type(of: value)) encoded no value"))
            }
            return encoded
        }
    }

    private final class Box { var value: SQLiteValue? }

    private struct SingleValueEncoder: Encoder, SingleValueEncodingContainer {
        let box = Box()
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            preconditionFailure("a keyed value cannot be bound to an SQLite parameter")
        }
        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            preconditionFailure("an array cannot be bound to an SQLite parameter")
        }
        func singleValueContainer() -> any SingleValueEncodingContainer { self }

        func encodeNil() throws { box.value = .null }
        func encode(_ value: Bool) throws { box.value = .integer(value ? 1 : 0) }
        func encode(_ value: String) throws { box.value = .text(value) }
        func encode(_ value: Double) throws { box.value = .float(value) }
        func encode(_ value: Float) throws { box.value = .float(Double(value)) }
        func encode(_ value: Int) throws { box.value = .integer(Int64(value)) }
        func encode(_ value: Int8) throws { box.value = .integer(Int64(value)) }
        func encode(_ value: Int16) throws { box.value = .integer(Int64(value)) }
        func encode(_ value: Int32) throws { box.value = .integer(Int64(value)) }
        func encode(_ value: Int64) throws { box.value = .integer(value) }
        func encode(_ value: UInt) throws { try encodeUnsigned(value) }
        func encode(_ value: UInt8) throws { box.value = .integer(Int64(value)) }
        func encode(_ value: UInt16) throws { box.value = .integer(Int64(value)) }
        func encode(_ value: UInt32) throws { box.value = .integer(Int64(value)) }
        func encode(_ value: UInt64) throws { try encodeUnsigned(value) }
        func encode<T: Encodable>(_ value: T) throws { box.value = try SQLiteValueEncoder.encode(value) }

        private func encodeUnsigned<U: UnsignedInteger>(_ value: U) throws {
            guard let exact = Int64(exactly: value) else {
                throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(value) does not fit SQLite's 64-bit integer"))
            }
            box.value = .integer(exact)
        }
    }
}
