import Foundation
import StarconCore
import StarconIMAP

extension IMAPSession {
    /// LOGIN and AUTHENTICATE PLAIN: the core's sign-in (the same throttle as the web and NNTP). A mail
    /// client may give the whole address; the part before `@domain` is the username.
    func signIn(tag: String, user: String, password: String) async throws -> Next {
        var username = user
        let suffix = "@" + core.mail.domain
        if username.lowercased().hasSuffix(suffix) { username = String(username.dropLast(suffix.count)) }
        do {
            let signIn = try await core.signIn.client(username: username, password: password, address: peerAddress, surface: .imap)
            try AccountService.ensureMayUseMail(signIn.account, now: core.clock.nowMilliseconds())
            self.signIn = signIn
            member = signIn.account
            state = .authenticated
            try await write(Response.tagged(tag, .ok, code: .capability(capabilities), "signed in"))
            return .carryOn
        } catch let error as CoreError {
            authFailures += 1
            let (code, text): (ResponseCode, String) = switch error.kind {
            case .throttled: (.atom("UNAVAILABLE"), "too many failed attempts, try again later")
            case .forbidden: (.atom("AUTHORIZATIONFAILED"), SignInService.protocolRefusal(error) ?? "account not active")
            default: (.atom("AUTHENTICATIONFAILED"), "authentication failed")
            }
            try await write(Response.tagged(tag, .no, code: code, text))
            if authFailures >= Self.maxAuthFailures {
                try await write(Response.untagged(.bye, "too many failed attempts"))
                return .close
            }
            return .carryOn
        }
    }

    /// The client's SASL PLAIN response (RFC 4616): base64 of `authzid NUL authcid NUL password`; `*` cancels.
    func finishAuthenticate(tag: String, response: [UInt8]) async throws -> Next {
        let text = String(decoding: response, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        if text == "*" {
            try await write(Response.tagged(tag, .bad, "authentication cancelled"))
            return .carryOn
        }
        guard let decoded = Data(base64Encoded: text == "=" ? "" : text) else {
            try await write(Response.tagged(tag, .bad, "response is not base64"))
            return .carryOn
        }
        let parts = decoded.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard parts.count == 3, !parts[1].isEmpty, parts[0].isEmpty || parts[0] == parts[1] else {
            try await write(Response.tagged(tag, .no, code: .atom("AUTHENTICATIONFAILED"), "authentication failed"))
            return .carryOn
        }
        return try await signIn(tag: tag, user: parts[1], password: parts[2])
    }

    /// Whether the member, as stored now, may still use mail with the credential this session signed in
    /// with (after a `credentialsRevoked` event: an app password revoked, TOTP turned on).
    public func memberStillAllowed() async -> Bool {
        guard member != nil else { return true }
        guard let signIn else { return false }
        return await core.signIn.mailStillAllowed(signIn)
    }

    /// Ends the session from outside (the member was suspended or signed out): BYE, then the server closes.
    public func end(_ reason: String) async {
        state = .logout
        try? await write(Response.untagged(.bye, reason))
    }
}
