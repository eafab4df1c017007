import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket
import StarconCore

/// The request context of the WebSocket router (the upgrade request has no page chrome).
struct StreamContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<StreamContext>
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.remoteAddress = source.channel.remoteAddress
    }
}

/// `GET /api/starcon/v1/stream`: the messenger's live stream over a WebSocket (docs/MESSENGER.md).
///
/// Authorised by a bearer token (`access_token=` or the Authorization header), or, for the web UI's script,
/// by the session cookie when the Origin header is this server's own (so another site cannot open it).
/// A bad token is answered with an upgrade and an immediate close (1008) that says why.
///
/// Resume: `last_seq=S` (the `seq` of the last message the client has), or `last_id=N` (its id), or a frame
/// `{"type":"resume",…}` with either, replays every stored message placed after it in the log, in the
/// member's conversations, in log (commit) order, then goes live. The bus subscription is taken before the
/// store is read, and live messages at or below the place replayed are dropped, so there is neither a gap
/// nor a duplicate at the handoff, whichever node the client reconnects to.
struct MessengerStream: Sendable {
    let web: WebServices
    let frames = MessageFrameCache()
    var core: Core { web.core }
    var json: MessengerJSON { MessengerJSON(publicURL: web.publicURL, assets: web.renderer.assets) }

    static let path = "/api/starcon/v1/stream"
    static let maxFrameSize = 64 * 1024
    /// Steps (events, replies) a connection may have waiting before it is closed as too far behind.
    static let queueLimit = 2048
    static let pingSeconds: Int = {
        Int(ProcessInfo.processInfo.environment["STARCON_STREAM_PING_SECONDS"] ?? "") ?? 30
    }()

    static var configuration: WebSocketServerConfiguration {
        WebSocketServerConfiguration(maxFrameSize: maxFrameSize, autoPing: .enabled(timePeriod: .seconds(pingSeconds)),
                                     closeTimeout: .seconds(5), validateUTF8: true)
    }

    /// A `message` or `message_edited` frame, encoded once for all streams.
    func messageFrame(_ event: String, _ message: Message) -> String {
        frames.frame(event, for: message) { MessengerJSON.frame(event, json.message(message)) }
    }

    func router() -> Router<StreamContext> {
        let router = Router(context: StreamContext.self)
        router.ws(RouterPath(stringLiteral: Self.path)) { inbound, outbound, context in
            try await handle(inbound: inbound, outbound: outbound, request: context.request, logger: context.logger)
        }
        return router
    }

    // MARK: Who is asking

    enum Credential: Sendable {
        case token(String)
        case session(String)
    }

    func credential(_ request: Request) -> Credential? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return .token(String(parts[1])) }
        }
        if let token = request.uri.queryParameters["access_token"].map(String.init), !token.isEmpty { return .token(token) }
        if let session = request.cookies[CookieName.session]?.value, !session.isEmpty, sameOrigin(request) { return .session(session) }
        return nil
    }

    /// A browser always sends Origin on a WebSocket upgrade; a cookie is honoured only from our own pages.
    func sameOrigin(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin]?.lowercased() else { return false }
        if origin == web.publicURL.lowercased() { return true }
        guard let host = request.head.authority?.lowercased() else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    /// The member, and whether the credential may also write (mark read, typing): a `read` token may not.
    func resolve(_ credential: Credential, address: String) async throws -> (member: Account, mayWrite: Bool)? {
        switch credential {
        case .token(let token):
            guard let grant = try await core.oauth.resolve(token: token), grant.scopes.grants("read:conversations"),
                  let account = grant.account else { return nil }
            return (account, grant.scopes.grants("write:conversations"))
        case .session(let token):
            return try await core.sessions.resolve(token: token, address: address).map { ($0.1, true) }
        }
    }

    // MARK: The connection

    enum Step: Sendable {
        case event(Event)
        case resume(ResumePoint)
        case reply(String)
        case close(WebSocketErrorCode, String)
        case finish
    }

    func handle(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, request: Request, logger: Logger) async throws {
        guard let credential = credential(request),
              let (member, mayWrite) = try await resolve(credential, address: "websocket") else {
            try await outbound.close(.policyViolation, reason: "The access token is invalid")
            return
        }
        // Subscribe before anything is read from the store: see the type's comment. Events go straight into
        // this connection's queue; one that falls `queueLimit` steps behind is closed and resumes from the store.
        let (steps, queue) = AsyncStream<Step>.makeStream(bufferingPolicy: .bufferingOldest(Self.queueLimit))
        let fellBehind = NIOLockedValueBox(false)
        let sink = core.events.sink(accountID: member.id, into: queue, as: Step.event, fellBehind: {
            fellBehind.withLockedValue { $0 = true }
        })
        defer { sink.cancel() }
        let query = request.uri.queryParameters
        let resume: ResumePoint?
        switch ResumePoint.parse(seq: query["last_seq"].map(String.init), id: query["last_id"].map(String.init)) {
        case .success(let point): resume = point
        case .failure(let reason):
            try await outbound.close(.policyViolation, reason: reason.message)
            return
        }
        var writer = Writer(stream: self, member: member, outbound: outbound)
        if let resume { try await writer.replay(after: resume) }
        try await outbound.write(.text(MessengerJSON.frame("ready", [
            "last_id": String(writer.lastID), "last_seq": String(writer.lastSeq), "account": json.account(member)])))
        let stillValid: @Sendable () async throws -> Bool = { try await resolve(credential, address: "websocket") != nil }

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await readFrames(inbound, member: member, mayWrite: mayWrite, queue: queue, logger: logger)
            }
            stepping: for await step in steps {
                switch step {
                case .event(let event):
                    if let reason = await StreamEnding.reason(event, member: member, stillValid: stillValid) {
                        try await outbound.close(.policyViolation, reason: reason)
                        break stepping
                    }
                    try await writer.send(event)
                case .resume(let from):
                    try await writer.replay(after: from)
                case .reply(let text):
                    try await outbound.write(.text(text))
                case .close(let code, let reason):
                    try await outbound.close(code, reason: reason)
                    break stepping
                case .finish:
                    break stepping
                }
            }
            if fellBehind.withLockedValue({ $0 }) {
                try await outbound.close(.goingAway, reason: "Too far behind: reconnect with last_seq")
            }
            group.cancelAll()
        }
    }

    /// Reads client frames: `resume`, `typing`, `read`, `ping`. Anything that is not such a JSON object closes this
    /// connection (and only this one).
    func readFrames(_ inbound: WebSocketInboundStream, member: Account, mayWrite: Bool, queue: AsyncStream<Step>.Continuation, logger: Logger) async {
        do {
            for try await message in inbound.messages(maxSize: Self.maxFrameSize) {
                guard case .text(let text) = message else {
                    queue.yield(.close(.unacceptableData, "Binary frames are not accepted"))
                    return
                }
                guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
                      let type = object["type"] as? String else {
                    queue.yield(.close(.policyViolation, "A frame must be a JSON object with a type"))
                    return
                }
                func id(_ name: String) -> Int64? {
                    switch object[name] {
                    case let text as String: Int64(text)
                    case let number as NSNumber: Int64(number.stringValue)
                    default: nil
                    }
                }
                switch type {
                case "resume":
                    guard let from = id("last_seq").map(ResumePoint.seq) ?? id("last_id").map(ResumePoint.message) else {
                        queue.yield(.close(.policyViolation, "resume needs last_seq or last_id"))
                        return
                    }
                    queue.yield(.resume(from))
                case "typing" where !mayWrite, "read" where !mayWrite:
                    queue.yield(.reply(MessengerJSON.frame("error", ["error": "This action is outside the authorized scopes"])))
                case "typing":
                    guard let conversation = id("conversation_id") else {
                        queue.yield(.reply(MessengerJSON.frame("error", ["error": "typing needs conversation_id"])))
                        continue
                    }
                    do {
                        try await core.messenger.typing(actor: member, conversationID: conversation)
                    } catch {
                        queue.yield(.reply(MessengerJSON.frame("error", ["error": "Record not found"])))
                    }
                case "read":
                    guard let conversation = id("conversation_id"), let upTo = id("up_to") else {
                        queue.yield(.reply(MessengerJSON.frame("error", ["error": "read needs conversation_id and up_to"])))
                        continue
                    }
                    do {
                        try await core.messenger.markRead(actor: member, conversationID: conversation, upTo: upTo)
                    } catch {
                        queue.yield(.reply(MessengerJSON.frame("error", ["error": "Record not found"])))
                    }
                case "ping":
                    queue.yield(.reply(MessengerJSON.frame("pong", [String: Any]())))
                default:
                    queue.yield(.reply(MessengerJSON.frame("error", ["error": "Unknown frame type"])))
                }
            }
            queue.yield(.finish)
        } catch {
            // Oversized or malformed frames: the WebSocket layer closes with its own code.
            logger.debug("stream read ended", metadata: ["error": .string(String(describing: type(of: error)))])
            queue.yield(.close(.messageTooLarge, "Frame too large or malformed"))
        }
    }

    /// Where a replay starts: after a place in the log, or after a message the client names by id.
    enum ResumePoint: Sendable {
        case seq(Int64)
        case message(Int64)

        struct Invalid: Error { let message: String }

        /// From the query: `last_seq` wins over `last_id`; neither means no replay.
        static func parse(seq: String?, id: String?) -> Result<ResumePoint?, Invalid> {
            if let seq {
                guard let value = Int64(seq), value >= 0 else { return .failure(Invalid(message: "last_seq is not a place in the log")) }
                return .success(.seq(value))
            }
            if let id {
                guard let value = Int64(id), value >= 0 else { return .failure(Invalid(message: "last_id is not a message id")) }
                return .success(.message(value))
            }
            return .success(nil)
        }
    }

    /// Writes frames for one member, tracking the place of the newest message sent so replays and live
    /// events never repeat one.
    struct Writer {
        let stream: MessengerStream
        let member: Account
        let outbound: WebSocketOutboundWriter
        /// The place in the log of the newest message sent (or resumed from), and that message's id.
        var lastSeq: Int64 = 0
        var lastID: Int64 = 0
        /// Messages sent live before a mid-stream resume frame: skipped when the replay reaches them.
        var sentLive: Set<Int64> = []

        init(stream: MessengerStream, member: Account, outbound: WebSocketOutboundWriter) {
            self.stream = stream
            self.member = member
            self.outbound = outbound
        }

        mutating func replay(after point: ResumePoint) async throws {
            let messenger = stream.core.messenger
            var cursor: Int64
            switch point {
            case .seq(let seq): cursor = seq
            case .message(let id):
                cursor = try await messenger.resumePoint(forMessage: id)
                lastID = max(lastID, id)
            }
            let from = cursor
            while true {
                let batch = try await messenger.backlog(for: member.id, afterSeq: cursor)
                for message in batch where !sentLive.contains(message.id) {
                    try await outbound.write(.text(stream.messageFrame("message", message)))
                }
                guard let last = batch.last else { break }
                cursor = last.seq
                if last.seq > lastSeq { lastSeq = last.seq; lastID = last.id }
                if batch.count < 500 { break }
            }
            lastSeq = max(lastSeq, from)
            sentLive.removeAll()
        }

        mutating func send(_ event: Event) async throws {
            let json = stream.json
            let frame: String
            switch event.payload {
            case .message(let message):
                guard message.seq > lastSeq else { return }
                lastSeq = message.seq
                lastID = message.id
                if sentLive.count < 10_000 { sentLive.insert(message.id) }
                frame = stream.messageFrame("message", message)
            case .messageEdited(let message):
                frame = stream.messageFrame("message_edited", message)
            case .messageDeleted(let conversation, let message):
                frame = MessengerJSON.frame("message_deleted", ["conversation_id": String(conversation), "id": String(message)])
            case .read(let conversation, let account, let upTo):
                frame = MessengerJSON.frame("read", ["conversation_id": String(conversation), "account_id": String(account), "last_read_id": String(upTo)])
            case .typing(let conversation, let account):
                frame = MessengerJSON.frame("typing", ["conversation_id": String(conversation), "account": json.account(account)])
            case .conversation(let id, let removed):
                if removed.contains(member.id) {
                    frame = MessengerJSON.frame("conversation", ["id": String(id), "removed": true])
                } else if let view = try? await stream.core.messenger.conversation(id: id, viewer: member) {
                    frame = MessengerJSON.frame("conversation", json.conversation(view))
                } else {
                    frame = MessengerJSON.frame("conversation", ["id": String(id), "removed": true])
                }
            case .announcement(let id, true):
                frame = MessengerJSON.frame("announcement_ended", ["id": String(id)])
            case .announcement(let id, false):
                guard let view = try await stream.core.announcements.view(id: id, for: member, language: member.language), !view.dismissed else { return }
                frame = MessengerJSON.frame("announcement", ["id": String(id), "severity": view.announcement.severity.rawValue,
                                                              "language": view.language, "text": view.text])
            case .accountEnded, .credentialsRevoked, .reload, .feed, .mailbox:
                return
            }
            try await outbound.write(.text(frame))
        }
    }
}
