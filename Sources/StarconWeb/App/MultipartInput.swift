import Foundation
import Hummingbird
import MultipartKit

/// A `multipart/form-data` body: its text fields and its files, each file with the name the client gave.
/// Used by photo uploads; the browser form's CSRF token is checked by `FormInput.readMultipart`.
struct MultipartInput: Sendable {
    struct File: Sendable {
        let field: String
        let filename: String
        let data: Data
    }

    private(set) var fields: [String: String] = [:]
    private(set) var files: [File] = []

    subscript(_ name: String) -> String? { fields[name] }
    func text(_ name: String) -> String { fields[name] ?? "" }

    /// Most a request may carry: four photos at their limit, and their fields.
    static let maxBodyBytes = 4 * 16 * 1024 * 1024 + 64 * 1024

    static func isMultipart(_ request: Request) -> Bool {
        request.headers[.contentType]?.lowercased().hasPrefix("multipart/form-data") == true
    }

    /// Reads the body; nil when it is not well-formed multipart.
    static func read(_ request: Request, maxBytes: Int = maxBodyBytes) async throws -> MultipartInput? {
        guard let contentType = request.headers[.contentType], let boundary = parameter("boundary", in: contentType), !boundary.isEmpty else {
            return nil
        }
        var request = request
        let body = try await request.collectBody(upTo: maxBytes)
        return parse(body, boundary: boundary)
    }

    static func parse(_ body: ByteBuffer, boundary: String) -> MultipartInput? {
        let parser = MultipartParser(boundary: boundary)
        var parts: [(headers: [String: String], body: ByteBuffer)] = []
        var headers: [String: String] = [:]
        var current = ByteBuffer()
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { chunk in current.writeBuffer(&chunk) }
        parser.onPartComplete = {
            parts.append((headers, current))
            headers = [:]
            current = ByteBuffer()
        }
        do {
            try parser.execute(body)
        } catch {
            return nil
        }
        var input = MultipartInput()
        for part in parts {
            guard let disposition = part.headers["content-disposition"], let name = parameter("name", in: disposition) else { continue }
            if let filename = parameter("filename", in: disposition) {
                input.files.append(File(field: name, filename: filename, data: Data(buffer: part.body)))
            } else {
                input.fields[name] = String(buffer: part.body)
            }
        }
        return input
    }

    /// A `name=value` or `name="value"` parameter of a header.
    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}
