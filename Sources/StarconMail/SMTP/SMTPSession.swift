import Foundation

/// One client's conversation (RFC 5321 §3–4, AUTH from RFC 4954): greeting, EHLO, optional AUTH, then
/// transactions of MAIL, RCPT… and DATA. Turns each line into a reply and says what the connection does
/// next; knows nothing about sockets. The rules about addresses and members are the policy's.
///
/// Relaying: without AUTH only local recipients are taken (mail from other servers); a signed-in member may
/// send anywhere, but only as one of their own addresses. So the server is never an open relay.
public final class SMTPSession {
    public enum Next: Equatable, Sendable {
        case carryOn
        /// The client now sends the message; hand it to `finishData` once its "." line arrives.
        case receiveData
        /// Start TLS now (after the 220 reply), then forget the session's state (RFC 3207 §4.2).
        case startTLS
        case close
    }

    private enum State: Equatable {
        /// Before EHLO/HELO.
        case fresh
        case ready
        case mail
        case recipients
    }

    private enum Auth: Equatable {
        case plain
        case loginUser
        case loginPassword(String)
    }

    let policy: any SMTPPolicy
    let serverName: String
    let peer: String
    /// Whether STARTTLS may be offered (a certificate is configured) and whether this connection is already
    /// encrypted.
    let tlsAvailable: Bool
    private(set) var secure: Bool
    /// Whether AUTH is offered on a connection that is not encrypted (a closed network may have no
    /// certificate; the password then travels as on the web's plain HTTP).
    let authWithoutTLS: Bool

    private var state = State.fresh
    private var clientName = ""
    private var extended = false
    private var envelope: SMTPEnvelope?
    private var identity: SMTPIdentity?
    private var pendingAuth: Auth?
    private var badCommands = 0
    private var authFailures = 0

    public init(policy: any SMTPPolicy, serverName: String, peer: String, tlsAvailable: Bool = false, secure: Bool = false,
                authWithoutTLS: Bool = true) {
        self.policy = policy
        self.serverName = serverName
        self.peer = peer
        self.tlsAvailable = tlsAvailable
        self.secure = secure
        self.authWithoutTLS = authWithoutTLS
    }

    public var greeting: SMTPReply { SMTPReply(220, nil, "\(serverName) ESMTP Starcon") }

    /// The member signed in on this connection, if any.
    public var signedIn: SMTPIdentity? { identity }

    /// The extensions EHLO advertises (RFC 5321 §4.1.1.1, RFC 1870 SIZE, RFC 6152 8BITMIME, RFC 6531
    /// SMTPUTF8, RFC 2920 PIPELINING, RFC 2034 ENHANCEDSTATUSCODES, RFC 3207 STARTTLS, RFC 4954 AUTH).
    var extensions: [String] {
        var lines = ["PIPELINING", "SIZE \(SMTPLimits.maxMessageBytes)", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES"]
        if tlsAvailable && !secure { lines.append("STARTTLS") }
        if identity == nil && (secure || authWithoutTLS) { lines.append("AUTH PLAIN LOGIN") }
        return lines
    }

    /// Handles one line. While an AUTH exchange is open the line is the client's SASL response.
    public func handle(line: Substring) async -> (SMTPReply, Next) {
        if let auth = pendingAuth { return await continueAuth(auth, response: line) }
        switch SMTPCommandParser.parse(line) {
        case .failure(let failure):
            badCommands += 1
            if badCommands >= SMTPLimits.maxBadCommands { return (.tooManyBadCommands, .close) }
            switch failure {
            case .unknownCommand: return (.unknownCommand, .carryOn)
            case .syntax(let detail): return (.syntax(detail), .carryOn)
            case .badAddress(let detail): return (SMTPReply(553, "5.1.3", "Bad address syntax: \(detail)"), .carryOn)
            }
        case .success(let command):
            return await handle(command)
        }
    }

    private func handle(_ command: SMTPCommand) async -> (SMTPReply, Next) {
        switch command {
        case .ehlo(let name), .helo(let name):
            clientName = name
            if case .ehlo = command { extended = true } else { extended = false }
            state = .ready
            envelope = nil
            if !extended { return (SMTPReply(250, nil, "\(serverName) greets \(name)"), .carryOn) }
            return (SMTPReply(250, nil, lines: ["\(serverName) greets \(name)"] + extensions), .carryOn)
        case .quit:
            return (.bye, .close)
        case .noop:
            return (.ok, .carryOn)
        case .help:
            return (SMTPReply(214, "2.0.0", "See RFC 5321; commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT AUTH STARTTLS"), .carryOn)
        case .rset:
            envelope = nil
            if state != .fresh { state = .ready }
            return (.ok, .carryOn)
        case .vrfy:
            // RFC 5321 §3.5.3: "252 Cannot VRFY user" rather than confirming who exists.
            return (SMTPReply(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery"), .carryOn)
        case .expn:
            return (SMTPReply(502, "5.5.1", "EXPN not available"), .carryOn)
        case .startTLS:
            guard tlsAvailable, !secure else { return (SMTPReply(502, "5.5.1", "STARTTLS not available"), .carryOn) }
            secure = true
            state = .fresh
            envelope = nil
            identity = nil
            return (SMTPReply(220, "2.0.0", "Ready to start TLS"), .startTLS)
        case .auth(let mechanism, let initial):
            return await startAuth(mechanism, initial: initial)
        case .mail(let from, let parameters):
            return await mail(from: from, parameters: parameters)
        case .rcpt(let to, _):
            return await rcpt(to)
        case .data:
            guard state == .recipients, let envelope, !envelope.recipients.isEmpty else {
                return (state == .mail ? SMTPReply(554, "5.5.1", "No valid recipients") : .badSequence, .carryOn)
            }
            return (SMTPReply(354, nil, "Start mail input; end with <CRLF>.<CRLF>"), .receiveData)
        }
    }

    // MARK: Transactions

    private func mail(from: MailAddress?, parameters: [SMTPParameter]) async -> (SMTPReply, Next) {
        guard state == .ready else { return (state == .fresh ? SMTPReply(503, "5.5.1", "Say EHLO first") : SMTPReply(503, "5.5.1", "Nested MAIL command"), .carryOn) }
        for parameter in parameters {
            switch parameter.keyword {
            case "SIZE":
                guard let size = parameter.value.flatMap({ Int($0) }) else { return (.syntax("SIZE=number"), .carryOn) }
                if size > SMTPLimits.maxMessageBytes {
                    return (SMTPReply(552, "5.3.4", "Message size exceeds fixed maximum message size"), .carryOn)
                }
            case "BODY":
                guard let value = parameter.value?.uppercased(), value == "7BIT" || value == "8BITMIME" else {
                    return (SMTPReply(501, "5.5.4", "BODY=7BIT or BODY=8BITMIME"), .carryOn)
                }
            case "SMTPUTF8":
                guard parameter.value == nil else { return (.syntax("SMTPUTF8 takes no value"), .carryOn) }
            case "AUTH", "RET", "ENVID":
                break  // RFC 4954 §5 AUTH=, DSN parameters: accepted and not needed here.
            default:
                return (SMTPReply(555, "5.5.4", "Unsupported parameter \(parameter.keyword)"), .carryOn)
            }
        }
        if let from, from.needsUTF8, !parameters.contains(where: { $0.keyword == "SMTPUTF8" }) {
            return (SMTPReply(553, "5.6.7", "Non-ASCII address needs SMTPUTF8"), .carryOn)
        }
        if let identity {
            // A member sends only as themself (no forged senders from a signed-in account).
            guard let from, identity.addresses.contains(from) else {
                return (SMTPReply(553, "5.7.1", "Sender address not owned by \(identity.username)"), .carryOn)
            }
        } else if let from, policy.isLocal(domain: from.domain) {
            // Someone claiming to be one of our members without signing in: refused (RFC 6409 §4.3 asks
            // submission to authenticate; mail from our own domain only comes that way).
            return (SMTPReply(530, "5.7.0", "Authentication required to send as \(from)"), .carryOn)
        }
        envelope = SMTPEnvelope(sender: from, recipients: [], parameters: parameters, identity: identity, clientName: clientName, peer: peer)
        state = .mail
        return (SMTPReply(250, "2.1.0", "Sender OK"), .carryOn)
    }

    private func rcpt(_ to: MailAddress) async -> (SMTPReply, Next) {
        guard state == .mail || state == .recipients, var envelope else { return (.badSequence, .carryOn) }
        guard envelope.recipients.count < SMTPLimits.maxRecipients else {
            return (SMTPReply(452, "4.5.3", "Too many recipients"), .carryOn)
        }
        if to.needsUTF8, !envelope.parameters.contains(where: { $0.keyword == "SMTPUTF8" }) {
            return (SMTPReply(553, "5.6.7", "Non-ASCII address needs SMTPUTF8"), .carryOn)
        }
        let local = to.isBarePostmaster || policy.isLocal(domain: to.domain)
        if !local {
            // Never an open relay: only a signed-in member's mail goes to other domains.
            guard identity != nil else { return (SMTPReply(550, "5.7.1", "Relaying denied"), .carryOn) }
        } else {
            do {
                switch try await policy.verdict(for: to) {
                case .accept: break
                case .unknown: return (SMTPReply(550, "5.1.1", "No such user here"), .carryOn)
                case .disabled: return (SMTPReply(550, "5.2.1", "Mailbox disabled"), .carryOn)
                }
            } catch let refusal as SMTPRefusal {
                return (refusal.reply, .carryOn)
            } catch {
                return (SMTPReply(451, "4.3.0", "Temporary failure, try again later"), .carryOn)
            }
        }
        if !envelope.recipients.contains(to) { envelope.recipients.append(to) }
        self.envelope = envelope
        state = .recipients
        return (SMTPReply(250, "2.1.5", "Recipient OK"), .carryOn)
    }

    /// The message has arrived (dot-unstuffed, CRLF line ends). `truncated`: it was over the size limit and
    /// the rest was dropped. Either way the transaction ends (RFC 5321 §4.1.1.4).
    public func finishData(message: [UInt8], truncated: Bool) async -> SMTPReply {
        defer {
            envelope = nil
            state = .ready
        }
        guard let envelope else { return .badSequence }
        if truncated || message.count > SMTPLimits.maxMessageBytes {
            return SMTPReply(552, "5.3.4", "Message size exceeds fixed maximum message size")
        }
        do {
            let id = try await policy.accept(envelope, message: message)
            return SMTPReply(250, "2.0.0", "OK: queued as \(id)")
        } catch let refusal as SMTPRefusal {
            return refusal.reply
        } catch {
            return SMTPReply(451, "4.3.0", "Temporary failure, try again later")
        }
    }

    // MARK: AUTH (RFC 4954)

    private func startAuth(_ mechanism: String, initial: String?) async -> (SMTPReply, Next) {
        guard state == .ready else { return (state == .fresh ? SMTPReply(503, "5.5.1", "Say EHLO first") : .badSequence, .carryOn) }
        guard identity == nil else { return (SMTPReply(503, "5.5.1", "Already authenticated"), .carryOn) }
        guard secure || authWithoutTLS else { return (SMTPReply(538, "5.7.11", "Encryption required for requested authentication mechanism"), .carryOn) }
        switch mechanism {
        case "PLAIN":
            if let initial { return await continueAuth(.plain, response: Substring(initial)) }
            pendingAuth = .plain
            return (SMTPReply(334, nil, ""), .carryOn)
        case "LOGIN":
            if let initial { return await continueAuth(.loginUser, response: Substring(initial)) }
            pendingAuth = .loginUser
            return (SMTPReply(334, nil, Self.base64("Username:")), .carryOn)
        default:
            return (SMTPReply(504, "5.5.4", "Unrecognized authentication type"), .carryOn)
        }
    }

    private func continueAuth(_ auth: Auth, response: Substring) async -> (SMTPReply, Next) {
        pendingAuth = nil
        if response == "*" { return (SMTPReply(501, "5.0.0", "Authentication cancelled"), .carryOn) }
        guard let decoded = response == "=" ? Data() : Data(base64Encoded: String(response)) else {
            return (SMTPReply(501, "5.5.2", "Cannot decode response"), .carryOn)
        }
        switch auth {
        case .plain:
            // message = [authzid] UTF8NUL authcid UTF8NUL passwd (RFC 4616 §2)
            let parts = decoded.split(separator: 0, omittingEmptySubsequences: false)
            guard parts.count == 3, let user = String(data: Data(parts[1]), encoding: .utf8),
                  let password = String(data: Data(parts[2]), encoding: .utf8) else {
                return (SMTPReply(501, "5.5.2", "Malformed PLAIN response"), .carryOn)
            }
            if !parts[0].isEmpty, String(data: Data(parts[0]), encoding: .utf8) != user {
                return (SMTPReply(535, "5.7.8", "Authentication credentials invalid"), .carryOn)
            }
            return await finishAuth(user: user, password: password)
        case .loginUser:
            guard let user = String(data: decoded, encoding: .utf8) else { return (SMTPReply(501, "5.5.2", "Cannot decode response"), .carryOn) }
            pendingAuth = .loginPassword(user)
            return (SMTPReply(334, nil, Self.base64("Password:")), .carryOn)
        case .loginPassword(let user):
            guard let password = String(data: decoded, encoding: .utf8) else { return (SMTPReply(501, "5.5.2", "Cannot decode response"), .carryOn) }
            return await finishAuth(user: user, password: password)
        }
    }

    private func finishAuth(user: String, password: String) async -> (SMTPReply, Next) {
        do {
            if let identity = try await policy.authenticate(username: user, password: password, peer: peer) {
                self.identity = identity
                return (SMTPReply(235, "2.7.0", "Authentication successful"), .carryOn)
            }
        } catch let refusal as SMTPRefusal {
            authFailures += 1
            return (refusal.reply, authFailures >= SMTPLimits.maxAuthFailures ? .close : .carryOn)
        } catch {
            return (SMTPReply(454, "4.7.0", "Temporary authentication failure"), .carryOn)
        }
        authFailures += 1
        return (SMTPReply(535, "5.7.8", "Authentication credentials invalid"), authFailures >= SMTPLimits.maxAuthFailures ? .close : .carryOn)
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
}
