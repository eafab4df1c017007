/// Mailbox names on the wire (RFC 3501 §5.1.3): printable US-ASCII stands for itself except `&`, written
/// `&-`; any other run of characters is `&`, its UTF-16 in modified base64 (`,` for `/`, no padding), `-`.
public enum ModifiedUTF7 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)

    public static func encode(_ name: String) -> String {
        var out: [UInt8] = []
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            out.append(UInt8(ascii: "&"))
            var bytes: [UInt8] = []
            for unit in pending { bytes.append(UInt8(unit >> 8)); bytes.append(UInt8(unit & 0xFF)) }
            var index = 0
            while index < bytes.count {
                let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
                let b0 = chunk[0], b1 = chunk.count > 1 ? chunk[1] : 0, b2 = chunk.count > 2 ? chunk[2] : 0
                out.append(alphabet[Int(b0 >> 2)])
                out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
                if chunk.count > 1 { out.append(alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)]) }
                if chunk.count > 2 { out.append(alphabet[Int(b2 & 0x3F)]) }
                index += 3
            }
            out.append(UInt8(ascii: "-"))
            pending = []
        }
        for scalar in name.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7E {
                flush()
                out.append(UInt8(scalar.value))
                if scalar == "&" { out.append(UInt8(ascii: "-")) }
            } else {
                pending.append(contentsOf: String(scalar).utf16)
            }
        }
        flush()
        return String(decoding: out, as: UTF8.self)
    }

    /// The name a client sent, or nil when it is not valid modified UTF-7: a byte outside printable ASCII,
    /// a bad base64 character, leftover bits, an unpaired surrogate, or a shift that encodes printable ASCII.
    /// A name that already holds UTF-8 (clients that ignore the rule) is taken as it is when it has no `&`.
    public static func decode(_ wire: String) -> String? {
        let bytes = Array(wire.utf8)
        if !bytes.contains(UInt8(ascii: "&")) { return wire }
        var out = ""
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= 0x20 && byte <= 0x7E else { return nil }
            guard byte == UInt8(ascii: "&") else {
                out.unicodeScalars.append(Unicode.Scalar(byte))
                index += 1
                continue
            }
            guard let end = bytes[(index + 1)...].firstIndex(of: UInt8(ascii: "-")) else { return nil }
            let run = bytes[(index + 1)..<end]
            index = end + 1
            if run.isEmpty { out.append("&"); continue }
            guard let decoded = decodeRun(Array(run)) else { return nil }
            out += decoded
        }
        return out
    }

    private static func decodeRun(_ run: [UInt8]) -> String? {
        var bits: UInt32 = 0
        var count = 0
        var bytes: [UInt8] = []
        for character in run {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            bits = bits << 6 | UInt32(value)
            count += 6
            if count >= 8 {
                count -= 8
                bytes.append(UInt8((bits >> UInt32(count)) & 0xFF))
            }
        }
        // Leftover bits must be fewer than 6 and zero; the octets must make whole UTF-16 units.
        guard count < 6, bits & ((1 << UInt32(count)) - 1) == 0, bytes.count % 2 == 0 else { return nil }
        var units: [UInt16] = []
        for i in stride(from: 0, to: bytes.count, by: 2) { units.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])) }
        var scalars = String.UnicodeScalarView()
        var iterator = units.makeIterator()
        var decoder = UTF16()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                // Printable ASCII must stand for itself.
                if scalar.value >= 0x20 && scalar.value <= 0x7E { return nil }
                scalars.append(scalar)
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        return String(scalars)
    }
}
