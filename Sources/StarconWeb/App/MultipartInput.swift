import Foundation
import Hummingbird
import MultipartKit

/// A `multipart/form-data` body: its text fields and its files, each file with the name the client gave.
/// Used by photo uploads; a browser form's CSRF token is checked by `FormInput.read` before any file is read.
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

    static func isMultipart(_ request: Request) -> Bool {
        request.headers[.contentType]?.lowercased().hasPrefix("multipart/form-data") == true
    }

    /// Reads the body as it arrives, at most `maxBytes`; nil when it is not well-formed multipart.
    /// `beforeFiles` sees the text fields that came before the first file (or all of them when there is none)
    /// and may throw to stop reading there, so a form's CSRF token is checked before any file is buffered.
    static func read(
        _ request: Request, maxBytes: Int, beforeFiles: @escaping (_ fields: [String: String]) throws -> Void = { _ in }
    ) async throws -> MultipartInput? {
        guard let contentType = request.headers[.contentType], let boundary = parameter("boundary", in: contentType), !boundary.isEmpty else {
            return nil
        }
        try RequestBody.checkDeclaredLength(request, limit: maxBytes)
        let parser = MultipartParser(boundary: boundary)
        var input = MultipartInput()
        var headers: [String: String] = [:]
        var current = ByteBuffer()
        var checked = false
        var failure: (any Error)?
        func check() {
            guard !checked else { return }
            checked = true
            do { try beforeFiles(input.fields) } catch { failure = error }
        }
        func disposition() -> (name: String, filename: String?)? {
            guard let value = headers["content-disposition"], let name = parameter("name", in: value) else { return nil }
            return (name, parameter("filename", in: value))
        }
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { chunk in
            if disposition()?.filename != nil { check() }
            if failure == nil { current.writeBuffer(&chunk) }
        }
        parser.onPartComplete = {
            if let (name, filename) = disposition() {
                if let filename {
                    check()
                    input.files.append(File(field: name, filename: filename, data: Data(buffer: current)))
                } else {
                    input.fields[name] = String(buffer: current)
                }
            }
            headers = [:]
            current = ByteBuffer()
        }
        var received = 0
        for try await chunk in request.body {
            received += chunk.readableBytes
            guard received <= maxBytes else { throw RequestBody.TooLarge() }
            do { try parser.execute(chunk) } catch { return nil }
            if let failure { throw failure }
        }
        check()
        if let failure { throw failure }
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
