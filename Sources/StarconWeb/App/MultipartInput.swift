import Foundation
import Hummingbird
import StarconMIME

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

    /// Reads the body, at most `maxBytes` (refused at once when its declared length is larger); nil when it
    /// is not well-formed multipart. `beforeFiles` sees the text fields and may throw, so a form's CSRF token
    /// is checked before any file is used.
    static func read(
        _ request: Request, maxBytes: Int, beforeFiles: @escaping (_ fields: [String: String]) throws -> Void = { _ in }
    ) async throws -> MultipartInput? {
        guard let contentType = request.headers[.contentType], let boundary = parameter("boundary", in: contentType), !boundary.isEmpty else {
            return nil
        }
        // A declared length over the limit is refused before anything is read; a body that grows past it
        // while it arrives is refused then. The route's limit is small unless the form takes photos.
        try RequestBody.checkDeclaredLength(request, limit: maxBytes)
        var request = request
        let body = try await request.collectBody(upTo: maxBytes)
        guard let input = parse(body, boundary: boundary) else { return nil }
        // The text fields (a form's CSRF token among them) are checked before any file is used.
        try beforeFiles(input.fields)
        return input
    }

    static func parse(_ body: ByteBuffer, boundary: String) -> MultipartInput? {
        guard let parts = MultipartBody.parts(of: Array(body.readableBytesView), boundary: boundary) else { return nil }
        var input = MultipartInput()
        for part in parts {
            guard let disposition = part.headers["content-disposition"], let name = parameter("name", in: disposition) else { continue }
            if let filename = parameter("filename", in: disposition) {
                input.files.append(File(field: name, filename: filename, data: Data(part.body)))
            } else {
                input.fields[name] = String(decoding: part.body, as: UTF8.self)
            }
        }
        return input
    }

    /// A `name=value` or `name="value"` parameter of a header (`form-data; name="file"; filename="a;b.jpg"`).
    /// A quoted value runs to the next quote, so it may hold `;` and `=` (browsers send a `"` in a name as
    /// `%22`, and a backslash as it is: `C:\photos\a.jpg`).
    static func parameter(_ name: String, in header: String) -> String? {
        HeaderParameters.parse(header, backslashEscapes: false).parameters[name]
    }
}
