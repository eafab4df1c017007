import Foundation
import Hummingbird

/// Parameters of an API request, from the query, a URL-encoded form or a JSON object, as Mastodon accepts them.
struct APIInput: Sendable {
    private let values: [String: String]

    subscript(_ name: String) -> String? { values[name] }
    func text(_ name: String) -> String { values[name] ?? "" }

    static func read(_ request: Request, context: some RequestContext) async throws -> APIInput {
        var values: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { values[String(name)] = String(value) }
        guard request.method == .post || request.method == .put || request.method == .patch else { return APIInput(values: values) }
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        if contentType.hasPrefix("application/json") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
                throw APIError(.badRequest, "The request body is not a JSON object")
            }
            for (name, value) in object {
                switch value {
                case let text as String: values[name] = text
                case let number as NSNumber: values[name] = number.stringValue
                case let list as [Any]: values[name] = list.map { "\($0)" }.joined(separator: " ")
                default: break
                }
            }
        } else if body.readableBytes > 0 {
            guard let fields = FormInput.parse(String(buffer: body)) else { throw APIError(.badRequest, "The form body is not valid") }
            for (name, value) in fields { values[name.hasSuffix("[]") ? String(name.dropLast(2)) : name] = value }
        }
        return APIInput(values: values)
    }
}

/// An error in the Mastodon API's terms: `{"error": "…"}` with a status.
struct APIError: Error, Sendable {
    let status: HTTPResponse.Status
    let message: String
    let code: String?

    init(_ status: HTTPResponse.Status, _ message: String, code: String? = nil) {
        self.status = status
        self.message = message
        self.code = code
    }

    static let unauthorized = APIError(.unauthorized, "The access token is invalid")
    static let notFound = APIError(.notFound, "Record not found")
}

enum JSON {
    static func response(_ object: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        // A value JSONSerialization cannot write (a lazy sequence, an Int64 in the wrong place) is a bug in
        // the route: answer 500 rather than a silently empty object.
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            FileHandle.standardError.write(Data("error: a JSON answer could not be serialised: \(type(of: object))\n".utf8))
            return response(["error": "Internal server error"], status: .internalServerError)
        }
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.cacheControl] = "no-store"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func iso8601(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
