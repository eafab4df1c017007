import Hummingbird
import StarconCore

/// `/api/v1/polls/:id` and its votes; a poll's id is its status's.
struct PollAPIRoutes {
    let api: APISupport
    var core: Core { api.web.core }

    func add(to router: Router<WebContext>) {
        router.get("/api/v1/polls/{id}") { request, context in
            let viewer = try await api.member(request, "read:statuses")
            guard let view = try await core.feed.view(id: try api.id(context), viewer: viewer), view.status.poll != nil else { throw APIError.notFound }
            return JSON.response(api.entities.poll(view) ?? [:])
        }
        router.post("/api/v1/polls/{id}/votes") { request, context in
            let voter = try await api.member(request, "write:statuses")
            let input = try await APIInput.read(request, context: context)
            var choices: [Int] = []
            for raw in input.list("choices") {
                guard let choice = Int(raw) else { throw APIError(.unprocessableContent, "Validation failed: the choices are not options of this poll") }
                choices.append(choice)
            }
            let view = try await core.feed.vote(by: voter, pollID: try api.id(context), choices: choices)
            return JSON.response(api.entities.poll(view) ?? [:])
        }
    }
}
