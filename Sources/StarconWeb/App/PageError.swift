import Hummingbird
import StarconCore

/// An error that ends a web request with a status and a page in the member's language.
struct PageError: Error {
    let status: HTTPResponse.Status
    let messageKey: String?
    let values: [String: String]

    init(_ status: HTTPResponse.Status, messageKey: String? = nil, values: [String: String] = [:]) {
        self.status = status
        self.messageKey = messageKey
        self.values = values
    }

    static let notFound = PageError(.notFound)
    static let forbidden = PageError(.forbidden)
}

extension CoreError {
    /// The HTTP status for this error on any HTTP surface.
    var httpStatus: HTTPResponse.Status {
        switch kind {
        case .invalid: .unprocessableContent
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .throttled: .tooManyRequests
        }
    }

    /// Values for the message's placeholders.
    var messageValues: [String: String] {
        var values: [String: String] = [:]
        if let seconds = retryAfterSeconds { values["minutes"] = String(max(1, (seconds + 59) / 60)) }
        return values
    }
}
