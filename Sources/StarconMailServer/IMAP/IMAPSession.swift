import Foundation
import StarconCore
import StarconIMAP

/// One IMAP client's conversation (RFC 3501 §3): not authenticated, authenticated, selected, logout. Turns
/// each framed command into `MailService` calls and writes the replies through `send`; knows nothing about
/// sockets, so tests drive it with bytes. Not shared between tasks: the connection's one loop calls it.
public final class IMAPSession {
    public enum Next: Equatable, Sendable {
        case carryOn
        /// STARTTLS: the server writes this OK and puts TLS in front in one step, so no byte read after the OK
        /// is taken as plaintext; then carry on.
        case startTLS(reply: [UInt8])
        case close
    }

    public struct Options: Sendable {
        /// STARTTLS is offered (a certificate is configured) and the connection is not yet encrypted.
        public var offersStartTLS = false
        public init(offersStartTLS: Bool = false) { self.offersStartTLS = offersStartTLS }
    }

    /// The selected mailbox as this session knows it.
    struct Selection {
        var mailbox: Mailbox
        var readOnly: Bool
        var index: MessageIndex
        /// Every change up to this modseq has been told to the client (or is being told now).
        var modseq: Int64
        /// Uids from this one on are \Recent to this session (never, for EXAMINE).
        var recentFrom: Int64
    }

    enum State {
        case notAuthenticated
        case authenticated
        case selected(Selection)
        case logout
    }

    /// The connection went away while a reply was being written.
    struct ConnectionClosed: Error {}

    let core: Core
    let peerAddress: String
    var options: Options
    let send: @Sendable ([UInt8]) async throws -> Void
    var state = State.notAuthenticated
    public internal(set) var member: Account?
    /// How the member signed in (which app password), for `memberStillAllowed`.
    var signIn: ClientSignIn?
    var authFailures = 0
    /// AUTHENTICATE PLAIN's tag while the client's response line is awaited.
    var pendingAuthentication: String?
    /// IDLE's tag while idling.
    public internal(set) var idleTag: String?
    /// A `.mailbox` event named the selected mailbox since its changes were last read.
    var selectedChanged = false
    /// CONDSTORE is on (RFC 7162 §3.1: ENABLE, SELECT's CONDSTORE, or any command that uses modseqs): from then
    /// on SELECT says HIGHESTMODSEQ and every FETCH of flags says MODSEQ.
    var condStore = false

    /// Wrong passwords on one connection before it is closed (the core's throttle counts across connections).
    static let maxAuthFailures = 3

    public init(core: Core, peerAddress: String, options: Options = Options(),
                send: @escaping @Sendable ([UInt8]) async throws -> Void) {
        self.core = core
        self.peerAddress = peerAddress
        self.options = options
        self.send = send
    }

    /// The member signed in on this connection, for the server's subscription to their events.
    public var memberID: Int64? { member?.id }

    var selection: Selection? {
        if case .selected(let selection) = state { return selection }
        return nil
    }

    public var capabilities: [String] {
        var names = ["IMAP4rev1", "LITERAL+", "SASL-IR", "IDLE", "UIDPLUS", "MOVE", "NAMESPACE", "ID", "SPECIAL-USE", "ENABLE", "UNSELECT",
                     "CONDSTORE"]
        if member == nil {
            if options.offersStartTLS { names.append("STARTTLS") }
            names.append("AUTH=PLAIN")
        }
        return names
    }

    public var greeting: [UInt8] {
        Response.untagged(.ok, code: .capability(capabilities), "\(core.mail.domain) Starcon IMAP4rev1 ready")
    }

    func write(_ bytes: [UInt8]) async throws {
        do { try await send(bytes) } catch { throw ConnectionClosed() }
    }

    // MARK: Input

    /// One whole command as the framer delivered it (or, during AUTHENTICATE and IDLE, the client's line).
    public func receive(_ bytes: [UInt8]) async -> Next {
        do {
            if let tag = pendingAuthentication {
                pendingAuthentication = nil
                return try await finishAuthenticate(tag: tag, response: bytes)
            }
            if let tag = idleTag {
                idleTag = nil
                guard String(decoding: bytes, as: UTF8.self).uppercased() == "DONE" else {
                    try await write(Response.tagged(tag, .bad, "expected DONE"))
                    return .carryOn
                }
                try await write(Response.tagged(tag, .ok, "IDLE terminated"))
                return .carryOn
            }
            switch CommandParser.parse(bytes) {
            case .failure(let error):
                try await write(error.tag.map { Response.tagged($0, .bad, error.message) } ?? Response.untagged(.bad, error.message))
                return .carryOn
            case .success(let command):
                return try await run(command)
            }
        } catch {
            return .close
        }
    }

    /// A command the framer refused before reading it all.
    public func refused(tag: String?, _ refusal: CommandFramer.Refusal) async -> Next {
        let (status, code, text): (ResponseStatus, ResponseCode?, String) = switch refusal {
        case .lineTooLong: (.bad, nil, "line too long")
        case .literalTooLarge: (.no, .atom("TOOBIG"), "literal too large")
        case .tooManyLiterals: (.bad, nil, "too many literals")
        }
        do {
            try await write(tag.map { Response.tagged($0, status, code: code, text) } ?? Response.untagged(.bad, text))
            return .carryOn
        } catch {
            return .close
        }
    }

    /// The framer wants the client to send a synchronizing literal.
    public var continuation: [UInt8] { Response.continuation("Ready for literal data") }

    // MARK: Dispatch

    func run(_ tagged: TaggedCommand) async throws -> Next {
        let tag = tagged.tag
        do {
            return try await dispatch(tagged.command, tag: tag)
        } catch let closed as ConnectionClosed {
            throw closed
        } catch let error as CoreError {
            if member != nil, error.kind == .forbidden, error.key.hasPrefix("account_") {
                // The member may not use mail any more (suspended on another node a moment ago).
                try await write(Response.untagged(.bye, "Account suspended or signed out"))
                state = .logout
                return .close
            }
            let (code, text) = Self.describe(error)
            try await write(Response.tagged(tag, .no, code: code, text))
            return .carryOn
        } catch {
            try await write(Response.tagged(tag, .no, code: .atom("SERVERBUG"), "internal error"))
            return .carryOn
        }
    }

    static func describe(_ error: CoreError) -> (ResponseCode?, String) {
        switch error.kind {
        case .notFound: (.atom("NONEXISTENT"), "no such mailbox or message")
        case .conflict: (.atom("ALREADYEXISTS"), "mailbox already exists")
        case .forbidden where error.key == "mail_special_mailbox": (.atom("CANNOT"), "this mailbox cannot be deleted")
        case .forbidden: (.atom("NOPERM"), "not permitted")
        case .throttled: (.atom("LIMIT"), "too many requests, try again later")
        case .unauthenticated: (.atom("AUTHENTICATIONFAILED"), "authentication failed")
        case .invalid where error.key == "mail_too_large": (.atom("TOOBIG"), "message too large")
        case .invalid where error.key == "mail_too_many_mailboxes": (.atom("LIMIT"), "too many mailboxes")
        case .invalid: (.atom("CANNOT"), error.key.replacingOccurrences(of: "_", with: " "))
        }
    }

    private func dispatch(_ command: IMAPCommand, tag: String) async throws -> Next {
        switch command {
        case .capability:
            try await write(Response.capability(capabilities) + Response.tagged(tag, .ok, "CAPABILITY completed"))
            return .carryOn
        case .noop, .check:
            if case .check = command, selection == nil { break }
            try await sendUpdates(force: true)
            try await write(Response.tagged(tag, .ok, "\(command == .noop ? "NOOP" : "CHECK") completed"))
            return .carryOn
        case .logout:
            state = .logout
            try await write(Response.untagged(.bye, "Starcon IMAP logging out") + Response.tagged(tag, .ok, "LOGOUT completed"))
            return .close
        case .id:
            try await write(Response.id([("name", "Starcon"), ("vendor", "Starcon")]) + Response.tagged(tag, .ok, "ID completed"))
            return .carryOn
        case .startTLS:
            guard member == nil, options.offersStartTLS else { break }
            options.offersStartTLS = false
            return .startTLS(reply: Response.tagged(tag, .ok, "Begin TLS negotiation now"))
        case .login(let user, let password):
            guard member == nil else { break }
            return try await signIn(tag: tag, user: user, password: password)
        case .authenticate(let mechanism, let initial):
            guard member == nil else { break }
            guard mechanism.uppercased() == "PLAIN" else {
                try await write(Response.tagged(tag, .no, code: .atom("CANNOT"), "only AUTHENTICATE PLAIN is offered"))
                return .carryOn
            }
            if let initial { return try await finishAuthenticate(tag: tag, response: Array(initial.utf8)) }
            pendingAuthentication = tag
            try await write(Response.continuation(""))
            return .carryOn
        default:
            guard member != nil else {
                try await write(Response.tagged(tag, .bad, "sign in first"))
                return .carryOn
            }
            return try await dispatchSignedIn(command, tag: tag)
        }
        try await write(Response.tagged(tag, .bad, "command not valid in this state"))
        return .carryOn
    }

    private func dispatchSignedIn(_ command: IMAPCommand, tag: String) async throws -> Next {
        switch command {
        case .select(let name, let condStore), .examine(let name, let condStore):
            if condStore { self.condStore = true }
            if case .select = command { try await select(name, readOnly: false, tag: tag) } else { try await select(name, readOnly: true, tag: tag) }
        case .create(let name): try await create(name, tag: tag)
        case .delete(let name): try await delete(name, tag: tag)
        case .rename(let from, let to): try await rename(from, to: to, tag: tag)
        case .subscribe(let name): try await subscribe(name, true, tag: tag)
        case .unsubscribe(let name): try await subscribe(name, false, tag: tag)
        case .list(let reference, let pattern): try await list(reference: reference, pattern: pattern, subscribedOnly: false, tag: tag)
        case .lsub(let reference, let pattern): try await list(reference: reference, pattern: pattern, subscribedOnly: true, tag: tag)
        case .status(let name, let attributes): try await status(name, attributes, tag: tag)
        case .append(let name, let flags, let date, let message): try await append(message, to: name, flags: flags, date: date, tag: tag)
        case .namespace:
            try await write(Response.namespace(delimiter: Mailbox.delimiter) + Response.tagged(tag, .ok, "NAMESPACE completed"))
        case .enable(let names):
            // CONDSTORE is the one extension that needs enabling here (no QRESYNC or UTF8=ACCEPT yet).
            let enabled = names.contains("CONDSTORE") && !condStore
            if enabled { condStore = true }
            try await write(Response.enabled(enabled ? ["CONDSTORE"] : []) + Response.tagged(tag, .ok, "ENABLE completed"))
        case .idle:
            try await sendUpdates(force: true)
            idleTag = tag
            try await write(Response.continuation("idling"))
        default:
            guard var selection else {
                try await write(Response.tagged(tag, .bad, "no mailbox selected"))
                return .carryOn
            }
            switch command {
            case .close, .unselect:
                if case .close = command, !selection.readOnly {
                    // CLOSE expunges silently (RFC 3501 §6.4.2).
                    try await core.mail.expunge(mailboxID: selection.mailbox.id, of: member!)
                }
                state = .authenticated
                try await write(Response.tagged(tag, .ok, "\(command == .close ? "CLOSE" : "UNSELECT") completed"))
            case .expunge, .uidExpunge:
                guard !selection.readOnly else { return try await readOnly(tag) }
                var uids: MailUIDSet?
                if case .uidExpunge(let set) = command { uids = Self.ranges(selection.index.resolve(set, byUID: true)) }
                let gone = try await core.mail.expunge(mailboxID: selection.mailbox.id, uids: uids, of: member!)
                let numbers = selection.index.expunge(gone.map { UInt32($0) })
                state = .selected(selection)
                try await write(numbers.flatMap(Response.expunge))
                try await sendUpdates()
                try await write(Response.tagged(tag, .ok, "EXPUNGE completed"))
            case .search(let key, let uid): try await search(key, uid: uid, tag: tag)
            case .fetch(let set, let attributes, let uid, let changedSince):
                try await fetch(set, attributes, uid: uid, changedSince: changedSince, tag: tag)
            case .store(let set, let action, let uid): try await store(set, action, uid: uid, tag: tag)
            case .copy(let set, let name, let uid): try await copy(set, to: name, uid: uid, move: false, tag: tag)
            case .move(let set, let name, let uid): try await copy(set, to: name, uid: uid, move: true, tag: tag)
            default:
                try await write(Response.tagged(tag, .bad, "command not valid in this state"))
            }
        }
        return .carryOn
    }

    func readOnly(_ tag: String) async throws -> Next {
        try await write(Response.tagged(tag, .no, code: .readOnly, "mailbox is read-only"))
        return .carryOn
    }

    /// A sorted list of uids as the store's ranges.
    static func ranges(_ uids: [UInt32]) -> MailUIDSet {
        var ranges: MailUIDSet = []
        for uid in uids.map(Int64.init) {
            if let last = ranges.last, last.upperBound + 1 == uid {
                ranges[ranges.count - 1] = last.lowerBound...uid
            } else {
                ranges.append(uid...uid)
            }
        }
        return ranges
    }
}
