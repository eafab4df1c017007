import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import StarconCore

/// Mastodon's streaming API: `GET /api/v1/streaming` over a WebSocket (`stream=user|public|hashtag`, and
/// `subscribe`/`unsubscribe` frames), and the same streams as server-sent events under
/// `/api/v1/streaming/…`. Events are `update`, `notification` and `delete`, with the payload encoded as a
/// JSON string, as Mastodon sends it. Each status is read as this member may see it (blocks, visibility).
struct MastodonStreaming: Sendable {
    let api: APISupport
    var core: Core { api.web.core }

    /// A stream a client asked for.
    struct Stream: Hashable, Sendable {
        let name: String
        let tag: String?

        /// Mastodon's names; `public:local` and `hashtag:local` are the same as their network-wide ones here.
        /// `list`: a list's id (`tag` holds it); only the member's own lists ever deliver anything.
        init?(name raw: String, tag: String?, list: String? = nil) {
            switch raw {
            case "list":
                guard let list, let id = Int64(list), id > 0 else { return nil }
                name = "list"; self.tag = String(id)
            case "user", "user:notification", "public", "public:local", "direct": name = raw.hasPrefix("public") ? "public" : raw; self.tag = nil
            case "hashtag", "hashtag:local":
                guard let tag = tag.flatMap(StatusText.validTag) else { return nil }
                name = "hashtag"; self.tag = tag
            default: return nil
            }
        }

        var wireName: [String] { tag.map { [name, $0] } ?? [name] }
    }

    func addWebSocket(to router: Router<StreamContext>) {
        router.ws("/api/v1/streaming") { inbound, outbound, context in
            try await webSocket(inbound: inbound, outbound: outbound, request: context.request)
        }
    }

    func addEventStreams(to router: Router<WebContext>) {
        router.get("/api/v1/streaming/health") { _, _ in Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "OK"))) }
        for path in ["user", "user/notification", "public", "public/local", "hashtag", "hashtag/local", "list", "direct"] {
            router.get(RouterPath(stringLiteral: "/api/v1/streaming/\(path)")) { request, context in
                let (member, credential) = try await streamMember(request, context)
                guard let stream = Stream(name: path.replacingOccurrences(of: "/", with: ":"), tag: request.uri.queryParameters["tag"].map(String.init),
                                          list: request.uri.queryParameters["list"].map(String.init)) else {
                    throw APIError(.badRequest, "Unknown stream type")
                }
                return eventStream(member: member, credential: credential, streams: [stream])
            }
        }
    }

    // MARK: Server-sent events

    /// A bearer token, or for the web page's own script (EventSource sends cookies and cannot set headers)
    /// the session cookie. Reading a stream changes nothing, and another site cannot read it (no CORS).
    /// Also returns a check that answers false once the credential no longer holds (revoked, signed out,
    /// suspended), asked when the event log says one of the member's credentials was revoked.
    private func streamMember(_ request: Request, _ context: WebContext) async throws -> (Account, @Sendable () async throws -> Bool) {
        if request.headers[.authorization] == nil, request.uri.queryParameters["access_token"] == nil,
           let token = request.cookies[CookieName.session]?.value, !token.isEmpty {
            let address = context.clientAddress
            guard let (_, member) = try await core.sessions.resolve(token: token, address: address) else { throw APIError.unauthorized }
            let core = core
            return (member, { try await core.sessions.resolve(token: token, address: address) != nil })
        }
        let member = try await api.member(request, "read:statuses")
        // The same token `api.member` accepted: the Authorization header first, then `access_token`.
        let header = request.headers[.authorization].flatMap { header -> String? in
            let parts = header.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "bearer" ? String(parts[1]) : nil
        }
        return (member, tokenCheck(header ?? request.uri.queryParameters["access_token"].map(String.init) ?? ""))
    }

    private func tokenCheck(_ token: String) -> @Sendable () async throws -> Bool {
        let core = core
        return { try await core.oauth.resolve(token: token).map { $0.scopes.grants("read:statuses") } ?? false }
    }

    private func eventStream(member: Account, credential stillValid: @escaping @Sendable () async throws -> Bool, streams: Set<Stream>) -> Response {
        let core = core
        return EventStreamBody.response(queueLimit: Self.queueLimit, greeting: ":)\n\n", subscribe: { queue in
            core.events.sink(accountID: member.id, into: queue, as: EventStreamBody.Step.event)
        }, frames: { event in
            if await StreamEnding.reason(event, member: member, stillValid: stillValid) != nil { return nil }
            return try await frames(for: event, member: member, streams: streams).map { ($0.name.event, $0.payload) }
        })
    }

    /// Steps a stream's loop works through, at most this many waiting: a client that falls further behind is
    /// disconnected (its queue ends), as Mastodon drops a stream that cannot keep up.
    static let queueLimit = 512

    // MARK: WebSocket

    private func webSocket(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, request: Request) async throws {
        let token = request.uri.queryParameters["access_token"].map(String.init)
            ?? request.headers[.authorization].flatMap { $0.split(separator: " ", maxSplits: 1).last.map(String.init) }
            ?? request.headers[.secWebSocketProtocol]
        guard let token, let grant = try await core.oauth.resolve(token: token), grant.scopes.grants("read:statuses"),
              let member = grant.account else {
            try await outbound.close(.policyViolation, reason: "The access token is invalid")
            return
        }
        var streams = Set<Stream>()
        if let name = request.uri.queryParameters["stream"].map(String.init) {
            guard let stream = Stream(name: name, tag: request.uri.queryParameters["tag"].map(String.init),
                                      list: request.uri.queryParameters["list"].map(String.init)) else {
                try await outbound.close(.policyViolation, reason: "Unknown stream type")
                return
            }
            streams.insert(stream)
        }
        enum Step: Sendable { case event(Event), subscribe(Stream), unsubscribe(Stream), error(String), close }
        let (steps, queue) = AsyncStream<Step>.makeStream(bufferingPolicy: .bufferingOldest(Self.queueLimit))
        let sink = core.events.sink(accountID: member.id, into: queue, as: Step.event)
        defer { sink.cancel() }
        let stillValid = tokenCheck(token)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await message in inbound.messages(maxSize: 16 * 1024) {
                        guard case .text(let text) = message,
                              let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
                              let type = object["type"] as? String, let name = object["stream"] as? String else {
                            queue.yield(.error("Could not parse the message: send {\"type\":\"subscribe\",\"stream\":\"…\"}"))
                            continue
                        }
                        let list = (object["list"] as? String) ?? (object["list"] as? NSNumber)?.stringValue
                        guard let stream = Stream(name: name, tag: object["tag"] as? String, list: list) else {
                            queue.yield(.error("Unknown stream type"))
                            continue
                        }
                        queue.yield(type == "unsubscribe" ? .unsubscribe(stream) : .subscribe(stream))
                    }
                } catch {}
                queue.yield(.close)
            }
            for await step in steps {
                switch step {
                case .event(let event):
                    if let reason = await StreamEnding.reason(event, member: member, stillValid: stillValid) {
                        try await outbound.close(.policyViolation, reason: reason)
                        group.cancelAll()
                        return
                    }
                    for (name, payload) in try await frames(for: event, member: member, streams: streams) {
                        try await outbound.write(.text(Self.frame(stream: name.stream, event: name.event, payload: payload)))
                    }
                case .subscribe(let stream): streams.insert(stream)
                case .unsubscribe(let stream): streams.remove(stream)
                case .error(let message): try await outbound.write(.text(JSON.string(["error": message, "status": 400])))
                case .close:
                    group.cancelAll()
                    return
                }
            }
            group.cancelAll()  // the queue ended: this client fell too far behind
        }
    }

    static func frame(stream: [String], event: String, payload: String) -> String {
        JSON.string(["stream": stream, "event": event, "payload": payload])
    }

    // MARK: What a member is sent

    /// The frames an event becomes for this member's streams: (stream name, event name) and the payload.
    private func frames(for event: Event, member: Account, streams: Set<Stream>) async throws -> [(name: (stream: [String], event: String), payload: String)] {
        if case .announcement(let id, let ended) = event.payload {
            guard streams.contains(where: { $0.name == "user" }) else { return [] }
            if ended { return [((["user"], "announcement.delete"), String(id))] }
            guard let view = try await core.announcements.view(id: id, for: member, language: member.language), !view.dismissed else { return [] }
            return [((["user"], "announcement"), JSON.string(AnnouncementAPIRoutes.entity(view)))]
        }
        guard case .feed(let feed) = event.payload, !streams.isEmpty else { return [] }
        switch feed {
        case .home(let id):
            let listStreams = streams.filter { $0.name == "list" }
            guard streams.contains(where: { $0.name == "user" }) || !listStreams.isEmpty,
                  let view = try await core.feed.view(id: id, viewer: member, inTimeline: true, context: .home) else { return [] }
            let payload = JSON.string(api.entities.status(view))
            var frames: [(name: (stream: [String], event: String), payload: String)] = []
            // The member's lists that hold the author (a list of someone else's never matches); an exclusive one
            // keeps the author's statuses out of home, so out of the user stream too.
            let lists = try await core.lists.lists(of: member, containing: view.status.author.id)
            if streams.contains(where: { $0.name == "user" }), !lists.contains(where: \.exclusive) || view.status.author.id == member.id {
                frames.append(((["user"], "update"), payload))
            }
            let listIDs = Set(lists.map { String($0.id) })
            for stream in listStreams where listIDs.contains(stream.tag ?? "") { frames.append(((stream.wireName, "update"), payload)) }
            return frames
        case .network(let id, let tags):
            let wanted = streams.filter { $0.name == "public" || ($0.name == "hashtag" && tags.contains($0.tag ?? "")) }
            guard !wanted.isEmpty, let view = try await core.feed.view(id: id, viewer: member, inTimeline: true, context: .public) else { return [] }
            let payload = JSON.string(api.entities.status(view))
            return wanted.map { (($0.wireName, "update"), payload) }
        case .edited(let id):
            guard let view = try await core.feed.view(id: id, viewer: member, inTimeline: true, context: .home) else { return [] }
            let payload = JSON.string(api.entities.status(view))
            let isPublic = view.status.visibility == .public
            let wanted = streams.filter { $0.name == "user" || (isPublic && ($0.name == "public" || ($0.name == "hashtag" && view.status.tags.contains($0.tag ?? "")))) }
            return wanted.map { (($0.wireName, "status.update"), payload) }
        case .direct(let id):
            guard streams.contains(where: { $0.name == "direct" }),
                  let conversation = try await core.feed.conversations(of: member, page: PageRequest(maxID: id + 1, limit: 1)).first,
                  conversation.lastStatus.status.id == id else { return [] }
            return [((["direct"], "conversation"), JSON.string(api.entities.conversation(conversation)))]
        case .deleted(let id):
            return streams.map { (($0.wireName, "delete"), String(id)) }
        case .notification(let id):
            guard let stream = streams.first(where: { $0.name == "user" || $0.name == "user:notification" }),
                  let notification = try await core.notifications.get(id, for: member) else { return [] }
            let status = try await notification.statusID.asyncMap { try await core.feed.view(id: $0, viewer: member, context: .notifications) } ?? nil
            if notification.statusID != nil && status == nil { return [] }
            return [((stream.wireName, "notification"), JSON.string(api.entities.notification(notification, status: status)))]
        }
    }
}
