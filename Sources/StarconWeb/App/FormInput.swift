import Foundation
import Hummingbird
import StarconCore

/// A submitted form (`application/x-www-form-urlencoded`, or `multipart/form-data` when it carries photos)
/// whose CSRF token has been checked. The only way to read a form is through `FormInput.read`, so no
/// handler can forget the check.
struct FormInput: Sendable {
    private let fields: [String: String]
    /// Files of a multipart form (empty otherwise).
    private(set) var files: [MultipartInput.File] = []

    subscript(_ name: String) -> String? { fields[name] }

    func text(_ name: String) -> String { fields[name] ?? "" }

    /// Every field but the CSRF token, by name: what a confirm page sends again.
    var fieldsWithoutToken: [(name: String, value: String)] {
        fields.filter { $0.key != Self.csrfField }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The names of fields that start with `prefix` (a list of checkboxes `uid_3`, `uid_7`), without it.
    func names(withPrefix prefix: String) -> [String] {
        fields.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    static let csrfField = "_csrf"

    /// Reads and checks a form. Only a signed-in member's form on a route that takes photos (`uploads`) may be
    /// larger than `RequestBody.formLimit`, and a multipart form's CSRF token is checked before any file in it
    /// is read.
    static func read(_ request: Request, context: WebContext, csrf: CSRFTokens, uploads: Bool = false) async throws -> FormInput {
        let limit = uploads && context.member != nil ? RequestBody.uploadLimit : RequestBody.formLimit
        do {
            if MultipartInput.isMultipart(request) {
                let parsed = try await MultipartInput.read(request, maxBytes: limit) { fields in
                    try FormInput(fields: fields).verify(context: context, csrf: csrf)
                }
                guard let parsed else { throw PageError(.badRequest, messageKey: "error.invalid_input") }
                var form = FormInput(fields: parsed.fields)
                form.files = parsed.files.filter { !$0.data.isEmpty }
                try form.verify(context: context, csrf: csrf)
                return form
            }
            let buffer = try await RequestBody.collect(request, limit: limit)
            guard let fields = parse(String(buffer: buffer)) else { throw PageError(.badRequest, messageKey: "error.invalid_input") }
            let form = FormInput(fields: fields)
            try form.verify(context: context, csrf: csrf)
            return form
        } catch is RequestBody.TooLarge {
            throw PageError(.contentTooLarge, messageKey: "error_form_too_large")
        }
    }

    private func verify(context: WebContext, csrf: CSRFTokens) throws {
        guard let seed = context.csrfSeed, let token = self[Self.csrfField], csrf.verify(token, seed: seed) else {
            throw PageError(.forbidden, messageKey: "error_csrf")
        }
    }

    /// Parses URL-encoded pairs; nil when a value is not valid percent-encoded UTF-8.
    static func parse(_ body: String) -> [String: String]? {
        guard let pairs = pairs(body) else { return nil }
        var fields: [String: String] = [:]
        for (name, value) in pairs { fields[name] = value }
        return fields
    }

    /// Every name=value pair in order, repeated names included (`media_ids[]=1&media_ids[]=2`).
    static func pairs(_ body: String) -> [(String, String)]? {
        var pairs: [(String, String)] = []
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]) else { return nil }
            guard let value = parts.count > 1 ? decode(parts[1]) : "" else { return nil }
            pairs.append((name, value))
        }
        return pairs
    }

    /// The URL query's pairs as a form encodes them (`+` is a space, as browsers and Mastodon clients send
    /// it; Hummingbird's `queryParameters` keeps it a `+`).
    static func queryPairs(_ request: Request) -> [(String, String)] {
        request.uri.query.flatMap(pairs) ?? request.uri.queryParameters.map { (String($0.key), String($0.value)) }
    }

    /// The URL query as a form encodes it, the first value of each name: what a GET form's free text is read from.
    static func query(_ request: Request) -> [String: String] {
        var values: [String: String] = [:]
        for (name, value) in queryPairs(request) where values[name] == nil { values[name] = value }
        return values
    }

    private static func decode(_ text: Substring) -> String? {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}

/// CSRF tokens: an HMAC of the session (or pre-session) token under the instance's form secret, so they need
/// no storage, differ per session, and die with it.
struct CSRFTokens: Sendable {
    let secret: String

    func token(seed: String) -> String { Secrets.hmac("csrf:" + seed, key: secret) }

    func verify(_ token: String, seed: String) -> Bool {
        Secrets.constantTimeEquals(token, self.token(seed: seed))
    }
}
