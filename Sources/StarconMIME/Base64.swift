/// RFC 2045 §6.8 base64 bodies: line breaks and other characters outside the alphabet are skipped (§6.8 asks
/// decoders to ignore them), decoding stops at padding; anything odd is reported, never fatal.
public enum Base64 {
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8).enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        // base64url, which some senders use by mistake.
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// The octets, and whether the input was clean (only the alphabet, whitespace and correct padding).
    public static func decode<C: Collection>(_ input: C) -> (bytes: [UInt8], clean: Bool) where C.Element == UInt8 {
        if let result = input.withContiguousStorageIfAvailable({ decode(buffer: $0) }) { return result }
        return Array(input).withUnsafeBufferPointer { decode(buffer: $0) }
    }

    private static func decode(buffer input: UnsafeBufferPointer<UInt8>) -> (bytes: [UInt8], clean: Bool) {
        var clean = true
        let bytes = table.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: input.count / 4 * 3 + 3) { out, count in
                var accumulator: UInt32 = 0
                var bits = 0
                var padding = 0
                var written = 0
                for byte in input {
                    let value = table[Int(byte)]
                    if value != 0xFF {
                        if padding > 0 {
                            // Data after padding: a second base64 stream glued on (seen in the wild); start again.
                            clean = false
                            padding = 0
                            accumulator = 0
                            bits = 0
                        }
                        accumulator = accumulator << 6 | UInt32(value)
                        bits += 6
                        if bits >= 8 {
                            bits -= 8
                            out[written] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
                            written += 1
                        }
                        continue
                    }
                    switch byte {
                    case 0x3D: padding += 1
                    case 0x20, 0x09, 0x0D, 0x0A: break
                    default: clean = false
                    }
                }
                // Six leftover bits are a lone character: something was cut. Two or four are the tail of a last
                // group (padded or not, both seen in the wild).
                if bits == 6 { clean = false }
                count = written
            }
        }
        return (bytes, clean)
    }

    /// For encoded words: nil on anything but the alphabet and padding.
    static func decodeStrictish(_ input: ArraySlice<UInt8>) -> [UInt8]? {
        for byte in input where table[Int(byte)] == 0xFF && byte != 0x3D { return nil }
        let (bytes, clean) = decode(input)
        return clean ? bytes : nil
    }

    /// Base64 in lines of 76 characters, each ending in CRLF (RFC 2045 §6.8).
    public static func encode<C: Collection>(_ bytes: C, lineLength: Int = 76) -> [UInt8] where C.Element == UInt8 {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 3 * 4 + input.count / 57 * 2 + 8)
        var column = 0
        var index = 0
        func emit(_ byte: UInt8) {
            out.append(byte)
            column += 1
            if column == lineLength {
                out += [0x0D, 0x0A]
                column = 0
            }
        }
        while index + 3 <= input.count {
            let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            emit(alphabet[Int(value >> 18 & 63)])
            emit(alphabet[Int(value >> 12 & 63)])
            emit(alphabet[Int(value >> 6 & 63)])
            emit(alphabet[Int(value & 63)])
            index += 3
        }
        let rest = input.count - index
        if rest > 0 {
            let value = UInt32(input[index]) << 16 | (rest == 2 ? UInt32(input[index + 1]) << 8 : 0)
            emit(alphabet[Int(value >> 18 & 63)])
            emit(alphabet[Int(value >> 12 & 63)])
            emit(rest == 2 ? alphabet[Int(value >> 6 & 63)] : 0x3D)
            emit(0x3D)
        }
        if column > 0 { out += [0x0D, 0x0A] }
        return out
    }
}

/// RFC 2045 §6.7 quoted-printable.
public enum QuotedPrintable {
    /// The octets, and whether the input was clean. A soft line break (`=` at a line end, CRLF or LF) joins
    /// lines; trailing whitespace on a line is dropped (§6.7 rule 3: transports add it); an `=` not followed by
    /// two hex digits is kept as it is (§6.7 note 1) and reported.
    public static func decode<C: Collection>(_ input: C) -> (bytes: [UInt8], clean: Bool) where C.Element == UInt8 {
        let input = Array(input)
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var clean = true
        var index = 0
        var spaceStart: Int?  // where a run of trailing-whitespace candidates began in `out`
        while index < input.count {
            let byte = input[index]
            switch byte {
            case 0x20, 0x09:
                if spaceStart == nil { spaceStart = out.count }
                out.append(byte)
                index += 1
                continue
            case 0x0D, 0x0A:
                if let start = spaceStart { out.removeSubrange(start...) }
                if byte == 0x0D, index + 1 < input.count, input[index + 1] == 0x0A {
                    out += [0x0D, 0x0A]
                    index += 2
                } else {
                    out.append(byte)
                    index += 1
                }
            case 0x3D:
                if index + 2 < input.count, let high = HeaderParameters.hex(input[index + 1]), let low = HeaderParameters.hex(input[index + 2]) {
                    out.append(high << 4 | low)
                    index += 3
                } else {
                    // A soft line break, possibly with whitespace before the line end.
                    var next = index + 1
                    while next < input.count, input[next] == 0x20 || input[next] == 0x09 { next += 1 }
                    if next >= input.count {
                        index = next
                    } else if input[next] == 0x0A {
                        index = next + 1
                    } else if input[next] == 0x0D {
                        index = next + (next + 1 < input.count && input[next + 1] == 0x0A ? 2 : 1)
                    } else {
                        clean = false
                        out.append(byte)
                        index += 1
                    }
                }
            default:
                out.append(byte)
                index += 1
            }
            spaceStart = nil
        }
        return (out, clean)
    }

    /// Quoted-printable with CRLF line ends and lines of at most 76 characters. Line ends in the input (CRLF
    /// or LF) stay hard line breaks for text; for binary data (`binary: true`) every CR and LF is encoded.
    public static func encode<C: Collection>(_ bytes: C, binary: Bool = false) -> [UInt8] where C.Element == UInt8 {
        let input = Array(bytes)
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(input.count + input.count / 8)
        var column = 0
        func softBreak(before width: Int) {
            if column + width > 75 {
                out += [0x3D, 0x0D, 0x0A]
                column = 0
            }
        }
        var index = 0
        while index < input.count {
            let byte = input[index]
            let atLineEnd = index + 1 >= input.count || (!binary && (input[index + 1] == 0x0A || input[index + 1] == 0x0D))
            if !binary, byte == 0x0A || (byte == 0x0D && index + 1 < input.count && input[index + 1] == 0x0A) {
                out += [0x0D, 0x0A]
                column = 0
                index += byte == 0x0D ? 2 : 1
                continue
            }
            let literal = (byte >= 0x21 && byte <= 0x7E && byte != 0x3D) || ((byte == 0x20 || byte == 0x09) && !atLineEnd)
            // A "." or "From " at a line start survives SMTP and mbox untouched when encoded.
            let guardStart = column == 0 && (byte == 0x2E || byte == 0x46)
            if literal && !guardStart {
                softBreak(before: 1)
                out.append(byte)
                column += 1
            } else {
                softBreak(before: 3)
                out += [0x3D, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 15)]]
                column += 3
            }
            index += 1
        }
        return out
    }
}
