import Foundation
import StarconMIME

/// The parts of a `multipart/form-data` body (RFC 7578, RFC 2046 §5.1.1): each part's headers (names
/// lowercased) and its bytes. Our own reader, because MultipartKit 4.7's parser traps (and takes the server
/// down) on a header name holding a byte of 0x80 or more, which any signed-in member could send.
///
///     preamble CRLF --boundary CRLF headers CRLF CRLF body CRLF --boundary ... CRLF --boundary-- epilogue
enum MultipartBody {
    struct Part {
        let headers: [String: String]
        let body: ArraySlice<UInt8>
    }

    /// The parts, or nil when the body is not well-formed (no delimiter, a part that never ends, no
    /// closing delimiter).
    static func parts(of bytes: [UInt8], boundary: String) -> [Part]? {
        let delimiter = Array("--\(boundary)".utf8)
        let crlf: [UInt8] = [0x0D, 0x0A]
        let nextDelimiter = crlf + delimiter
        // The first delimiter starts the body or a line after the preamble.
        var position: Int
        if bytes.starts(with: delimiter) {
            position = 0
        } else if let found = find(nextDelimiter, in: bytes, from: 0) {
            position = found + 2
        } else {
            return nil
        }
        var parts: [Part] = []
        while true {
            var index = position + delimiter.count
            if bytes[index..<min(bytes.count, index + 2)].elementsEqual([0x2D, 0x2D]) { return parts } // the closing delimiter
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 } // transport padding
            guard bytes[index..<min(bytes.count, index + 2)].elementsEqual(crlf) else { return nil }
            index += 2
            let headerEnd: Int, bodyStart: Int
            if bytes[index..<min(bytes.count, index + 2)].elementsEqual(crlf) {
                (headerEnd, bodyStart) = (index, index + 2) // no headers
            } else {
                guard let end = find(crlf + crlf, in: bytes, from: index) else { return nil }
                (headerEnd, bodyStart) = (end, end + 4)
            }
            guard let bodyEnd = find(nextDelimiter, in: bytes, from: bodyStart) else { return nil }
            parts.append(Part(headers: headers(bytes[index..<headerEnd]), body: bytes[bodyStart..<bodyEnd]))
            position = bodyEnd + 2
        }
    }

    /// The part's header fields (StarconMIME reads them; folded lines continue a field), names lowercased.
    private static func headers(_ block: ArraySlice<UInt8>) -> [String: String] {
        var headers: [String: String] = [:]
        for field in MIMEParser.parseHeader(Array(block)).header { headers[field.name.lowercased()] = field.value }
        return headers
    }

    /// The first index at or after `start` where `needle` begins (memchr for its first byte, then memcmp).
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard start >= 0, !needle.isEmpty else { return nil }
        return haystack.withUnsafeBytes { hay -> Int? in
            needle.withUnsafeBytes { pin -> Int? in
                guard let base = hay.baseAddress, let pinBase = pin.baseAddress else { return nil }
                var index = start
                while index + pin.count <= hay.count {
                    guard let hit = memchr(base + index, Int32(needle[0]), hay.count - pin.count + 1 - index) else { return nil }
                    let found = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + found, pinBase, pin.count) == 0 { return found }
                    index = found + 1
                }
                return nil
            }
        }
    }
}
