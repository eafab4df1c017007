import Foundation

/// Writes the JSON values our routes build (`[String: Any]`, arrays, strings, integers, `Bool`, `Double`,
/// `NSNull`, optionals) straight into UTF-8 bytes: keys in dictionary order or sorted, slashes unescaped,
/// non-ASCII as UTF-8.
///
/// Why not `JSONSerialization`: on Linux it bridges every dictionary and array through
/// `NSDictionary`/`NSArray` and boxes every value; a profile of the home timeline under load put two thirds
/// of the server's CPU there.
enum JSONWriter {
    struct Unsupported: Error, CustomStringConvertible {
        let type: String
        var description: String { "a \(type) cannot be written as JSON" }
    }

    static func bytes(_ value: Any, sortedKeys: Bool = false) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        try write(value, into: &out, sortedKeys: sortedKeys)
        return out
    }

    static func string(_ value: Any, sortedKeys: Bool = false) throws -> String {
        String(decoding: try bytes(value, sortedKeys: sortedKeys), as: UTF8.self)
    }

    /// JSON text already written (a cached entity), copied as it is.
    struct Raw: Sendable {
        let bytes: [UInt8]
    }

    /// `"key":value` for an entity whose values are all of the supported kinds (a bug otherwise: it is
    /// caught in debug builds and written as null in release ones).
    static func writeMember(_ key: String, _ value: Any, into out: inout [UInt8]) {
        writeString(key, into: &out)
        out.append(UInt8(ascii: ":"))
        do {
            try write(value, into: &out, sortedKeys: false)
        } catch {
            assertionFailure("\(error)")
            out.append(contentsOf: "null".utf8)
        }
    }

    static func write(_ value: Any, into out: inout [UInt8], sortedKeys: Bool) throws {
        switch value {
        case let text as String:
            writeString(text, into: &out)
        case let raw as Raw:
            out.append(contentsOf: raw.bytes)
        case let object as [String: Any]:
            out.append(UInt8(ascii: "{"))
            var first = true
            func member(_ key: String, _ value: Any) throws {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                try write(value, into: &out, sortedKeys: sortedKeys)
            }
            if sortedKeys {
                for key in object.keys.sorted() { try member(key, object[key]!) }
            } else {
                for (key, value) in object { try member(key, value) }
            }
            out.append(UInt8(ascii: "}"))
        case let array as [Any]:
            out.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                try write(element, into: &out, sortedKeys: sortedKeys)
            }
            out.append(UInt8(ascii: "]"))
        case let flag as Bool:
            out.append(contentsOf: flag ? Array("true".utf8) : Array("false".utf8))
        case let number as Int:
            out.append(contentsOf: String(number).utf8)
        case let number as Int64:
            out.append(contentsOf: String(number).utf8)
        case let number as Int32:
            out.append(contentsOf: String(number).utf8)
        case let number as UInt64:
            out.append(contentsOf: String(number).utf8)
        case let number as Double:
            guard number.isFinite else { throw Unsupported(type: "non-finite number") }
            if number == number.rounded(), abs(number) < 1e15 {
                out.append(contentsOf: String(Int64(number)).utf8)
            } else {
                out.append(contentsOf: String(number).utf8)
            }
        case is NSNull:
            out.append(contentsOf: "null".utf8)
        case let optional as any OptionalJSONValue:
            if let wrapped = optional.jsonWrapped {
                try write(wrapped, into: &out, sortedKeys: sortedKeys)
            } else {
                out.append(contentsOf: "null".utf8)
            }
        default:
            throw Unsupported(type: String(describing: type(of: value)))
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Lets the writer see through an `Optional` boxed in `Any`.
protocol OptionalJSONValue {
    var jsonWrapped: Any? { get }
}

extension Optional: OptionalJSONValue {
    var jsonWrapped: Any? {
        switch self {
        case .some(let value): value
        case .none: nil
        }
    }
}
