import Crypto
import Foundation

/// RFC 6238 time-based one-time passwords as authenticator apps use them: HMAC-SHA-1, 30-second steps,
/// six digits. HummingbirdOTP computes the same, but takes its secret as a `String` (so not arbitrary
/// random bytes) and brings Hummingbird into the core; this is the twenty lines it would save.
public struct TOTP: Sendable {
    public let secret: [UInt8]
    public var digits = 6
    public var period: Int64 = 30

    public init(secret: [UInt8], digits: Int = 6) {
        self.secret = secret
        self.digits = digits
    }

    /// The time step of a Unix time in milliseconds.
    public func step(atMilliseconds time: Int64) -> Int64 { time / 1000 / period }

    /// RFC 4226 §5.3: the HOTP value of `step`, as a zero-padded decimal string.
    public func code(step: Int64) -> String {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Array($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let value = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let text = String(value % modulus)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// The step `code` belongs to within ±`window` steps of `time` (clock drift), or nil. Compares every
    /// candidate without an early exit.
    public func matchingStep(_ code: String, atMilliseconds time: Int64, window: Int64 = 1) -> Int64? {
        let typed = code.filter { !$0.isWhitespace }
        guard typed.count == digits, typed.allSatisfy(\.isASCII), typed.allSatisfy(\.isNumber) else { return nil }
        let now = step(atMilliseconds: time)
        var found: Int64?
        for candidate in (now - window)...(now + window) where Secrets.constantTimeEquals(self.code(step: candidate), typed) {
            found = found ?? candidate
        }
        return found
    }

    /// The otpauth:// URI authenticator apps read (Google's Key Uri Format).
    public static func uri(secret: [UInt8], account: String, issuer: String) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let label = (issuer + ":" + account).addingPercentEncoding(withAllowedCharacters: allowed) ?? account
        let issuerText = issuer.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=\(issuerText)&algorithm=SHA1&digits=6&period=30"
    }
}

/// RFC 4648 base32 without padding: how authenticator apps take a secret by hand.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Ignores spaces, dashes, padding and case; nil for any other character.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.uppercased().utf8 where character != 32 && character != 45 && character != 61 {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                out.append(UInt8((buffer >> UInt32(bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return out
    }
}
