import Foundation
import NIOCore
@testable import StarconWeb
import Testing

/// Our reading of `multipart/form-data` uploads (`MultipartBody`, which replaced MultipartKit's parser after
/// this found it trapping on a non-ASCII header name, then our part and parameter handling) on mutated bodies and Content-Type headers: a form or nil, never a crash, nothing larger than
/// the body; and any form we write, with any names, reads back as written.
@Suite("Fuzz: multipart uploads")
struct MultipartFuzzTests {
    static let boundary = "starcon-fuzz-boundary"
    static let tokens = [
        "--\(boundary)", "--\(boundary)--", "\r\n", "\r\n\r\n", "Content-Disposition: form-data; ", "name=\"file\"", "name=",
        "filename=\"a.jpg\"", "filename=", "Content-Type: image/jpeg", "\"", ";", "=", "\\", "--", "boundary=",
    ]

    @Test func mutatedBodies() throws {
        try Fuzzer("multipart", tokens: Self.tokens, maxLength: 8_192).run { bytes in
            guard let input = MultipartInput.parse(ByteBuffer(bytes: bytes), boundary: Self.boundary) else { return }
            for file in input.files where file.data.count > bytes.count {
                throw Fuzzer.Violation("a file of \(file.data.count) bytes from a body of \(bytes.count)")
            }
            for (name, value) in input.fields where name.utf8.count + value.utf8.count > bytes.count * 3 {
                throw Fuzzer.Violation("a field larger than the body")
            }
        }
    }

    @Test func mutatedContentTypes() throws {
        try Fuzzer("multipart-content-type", tokens: Self.tokens, maxLength: 1_024).run { bytes in
            let header = String(decoding: bytes, as: UTF8.self)
            if let boundary = MultipartInput.parameter("boundary", in: header), boundary.utf8.count > header.utf8.count {
                throw Fuzzer.Violation("a parameter longer than its header")
            }
        }
    }

    /// Forms written by a client (quoted names with any characters a browser leaves unescaped) read back.
    @Test func writtenFormsReadBack() throws {
        var random = SplitMix64(seed: Fuzzer.seed)
        let alphabet = Array("abcXYZ019 _-.;=,:/()[]{}'é한\u{1F600}")
        for _ in 0..<500 {
            func word() -> String { String((0..<1 + random.below(12)).map { _ in alphabet[random.below(alphabet.count)] }) }
            var fields: [String: String] = [:]
            var files: [(String, String, [UInt8])] = []
            var body = ""
            var data: [UInt8] = []
            for _ in 0..<1 + random.below(5) {
                let name = word(), value = word()
                guard fields[name] == nil, !files.contains(where: { $0.0 == name }) else { continue }
                fields[name] = value
                data += Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
            }
            for _ in 0..<random.below(3) {
                let name = word(), filename = word()
                guard fields[name] == nil else { continue }
                let content = (0..<random.below(200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                files.append((name, filename, content))
                data += Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8)
                data += content + Array("\r\n".utf8)
            }
            data += Array("--\(Self.boundary)--\r\n".utf8)
            body = String(decoding: data, as: UTF8.self)
            let input = try #require(MultipartInput.parse(ByteBuffer(bytes: data), boundary: Self.boundary), "\(body.debugDescription)")
            #expect(input.fields == fields, "\(body.debugDescription)")
            #expect(input.files.map { [$0.field, $0.filename] } == files.map { [$0.0, $0.1] }, "\(body.debugDescription)")
            #expect(input.files.map { [UInt8]($0.data) } == files.map(\.2))
        }
    }
}
