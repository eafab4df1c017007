import Foundation
import Hummingbird
import StarconCore

/// Parameters of an API request, from the query, a URL-encoded form or a JSON object, as Mastodon accepts them.
/// A name may carry several values (`types[]=a&types[]=b`, a JSON array); `[]` is dropped from names.
struct APIInput: Sendable {
    private var values: [String: [String]] = [:]

    subscript(_ name: String) -> String? { values[name]?.first }
    func text(_ name: String) -> String { values[name]?.first ?? "" }
    func list(_ name: String) -> [String] { values[name] ?? [] }
    func flag(_ name: String) -> Bool? { self[name].map { ["true", "1", "on", "yes"].contains($0.lowercased()) } }
    func id(_ name: String) -> Int64? { self[name].flatMap { Int64($0) } }

    private mutating func add(_ name: String, _ value: String) {
        let key = name.hasSuffix("[]") ? String(name.dropLast(2)) : name
        values[key, default: []].append(value)
    }

    /// A JSON member under the name a form would give it: `{"poll": {"options": […]}}` is `poll[options]`.
    private mutating func add(json value: Any, as name: String, depth: Int) {
        switch value {
        case let text as String: add(name, text)
        case let number as NSNumber: add(name, number.stringValue)
        case let list as [Any]:
            for (index, item) in list.enumerated() {
                // A list of objects (`fields_attributes: [{…}]`) is indexed as a form would send it.
                add(json: item, as: item is [String: Any] ? "\(name)[\(index)]" : name, depth: depth + 1)
            }
        case let object as [String: Any] where depth < 3: for (key, item) in object { add(json: item, as: "\(name)[\(key)]", depth: depth + 1) }
        default: break
        }
    }

    /// The query's parameters and a multipart body's text fields.
    static func merging(query request: Request, fields: [String: String]) -> APIInput {
        var input = APIInput()
        for (name, value) in FormInput.queryPairs(request) { input.add(name, value) }
        for (name, value) in fields { input.add(name, value) }
        return input
    }

    /// The names present that start with `prefix` (`fields_attributes[`), for indexed groups.
    func names(withPrefix prefix: String) -> [String] { values.keys.filter { $0.hasPrefix(prefix) }.sorted() }

    static func read(_ request: Request, context: some RequestContext) async throws -> APIInput {
        var input = APIInput()
        // Clients send `types%5B%5D=…` (the name is percent-decoded like the value) and spaces as `+`.
        for (name, value) in FormInput.queryPairs(request) { input.add(name, value) }
        // DELETE too: clients send `account_ids[]` in the body of a list's DELETE.
        guard [.post, .put, .patch, .delete].contains(request.method) else { return input }
        let body = try await RequestBody.collect(request, limit: RequestBody.formLimit)
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        if contentType.hasPrefix("application/json") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
                throw APIError(.badRequest, "The request body is not a JSON object")
            }
            for (name, value) in object { input.add(json: value, as: name, depth: 0) }
        } else if body.readableBytes > 0 {
            guard let pairs = FormInput.pairs(String(buffer: body)) else { throw APIError(.badRequest, "The form body is not valid") }
            for (name, value) in pairs { input.add(name, value) }
        }
        return input
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
        // A value the writer cannot write (a lazy sequence, a Date) is a bug in the route: answer 500 rather
        // than a silently empty object.
        guard let data = try? JSONWriter.bytes(object) else {
            FileHandle.standardError.write(Data("error: a JSON answer could not be serialised: \(type(of: object))\n".utf8))
            return response(["error": "Internal server error"], status: .internalServerError)
        }
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.cacheControl] = "no-store"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A JSON text, for payloads that travel inside other JSON (streaming) or as SSE data.
    static func string(_ object: Any) -> String {
        (try? JSONWriter.string(object)) ?? "{}"
    }

    /// `2026-12-01T23:33:07.222Z`, with integer arithmetic: a timeline page formats dozens of these.
    static func iso8601(_ milliseconds: Int64) -> String {
        let time = CivilTime(milliseconds: milliseconds)
        let fraction = ((milliseconds % 1000) + 1000) % 1000
        func pad(_ n: Int64, _ width: Int) -> String {
            let text = String(n)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(time.year, 4))-\(pad(time.month, 2))-\(pad(time.day, 2))T\(pad(time.hour, 2)):\(pad(time.minute, 2)):\(pad(time.second, 2)).\(pad(fraction, 3))Z"
    }
}
