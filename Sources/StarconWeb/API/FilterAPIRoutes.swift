import Foundation
import Hummingbird
import StarconCore

extension MastodonEntities {
    /// Mastodon's Filter (v2).
    static func filter(_ filter: Filter) -> [String: Any] {
        ["id": String(filter.id), "title": filter.title, "context": filter.contexts.map(\.rawValue).sorted(),
         "expires_at": filter.expiresAt.map { JSON.iso8601($0) as Any } ?? NSNull(), "filter_action": filter.action.rawValue,
         "keywords": filter.keywords.map(keyword), "statuses": filter.statuses.map(filterStatus)]
    }

    static func keyword(_ keyword: Filter.Keyword) -> [String: Any] {
        ["id": String(keyword.id), "keyword": keyword.keyword, "whole_word": keyword.wholeWord]
    }

    static func filterStatus(_ entry: Filter.FilteredStatus) -> [String: Any] {
        ["id": String(entry.id), "status_id": String(entry.statusID)]
    }

    /// Mastodon's v1 Filter: one keyword of a v2 filter, named by the keyword's id.
    static func filterV1(_ filter: Filter, _ keyword: Filter.Keyword) -> [String: Any] {
        ["id": String(keyword.id), "phrase": keyword.keyword, "context": filter.contexts.map(\.rawValue).sorted(),
         "expires_at": filter.expiresAt.map { JSON.iso8601($0) as Any } ?? NSNull(), "irreversible": filter.action == .hide,
         "whole_word": keyword.wholeWord]
    }
}

/// `/api/v2/filters` (with keywords and statuses) and the older `/api/v1/filters`, one keyword a filter.
struct FilterAPIRoutes {
    let api: APISupport
    var core: Core { api.web.core }

    func add(to router: Router<WebContext>) {
        router.get("/api/v2/filters") { request, _ in
            let owner = try await api.member(request, "read:filters")
            return JSON.response(try await core.filters.filters(of: owner).map(MastodonEntities.filter))
        }
        router.post("/api/v2/filters") { request, context in
            let owner = try await api.member(request, "write:filters")
            let input = try await APIInput.read(request, context: context)
            return JSON.response(MastodonEntities.filter(try await core.filters.create(owner: owner, try change(input, creating: true))))
        }
        router.get("/api/v2/filters/{id}") { request, context in
            let owner = try await api.member(request, "read:filters")
            return JSON.response(MastodonEntities.filter(try await filter(try api.id(context), of: owner)))
        }
        router.put("/api/v2/filters/{id}") { request, context in
            let owner = try await api.member(request, "write:filters")
            let input = try await APIInput.read(request, context: context)
            return JSON.response(MastodonEntities.filter(try await core.filters.update(try api.id(context), owner: owner, try change(input, creating: false))))
        }
        router.delete("/api/v2/filters/{id}") { request, context in
            let owner = try await api.member(request, "write:filters")
            try await core.filters.delete(try api.id(context), owner: owner)
            return JSON.response([String: Any]())
        }
        // Keywords
        router.get("/api/v2/filters/{id}/keywords") { request, context in
            let owner = try await api.member(request, "read:filters")
            return JSON.response(try await filter(try api.id(context), of: owner).keywords.map(MastodonEntities.keyword))
        }
        router.post("/api/v2/filters/{id}/keywords") { request, context in
            let owner = try await api.member(request, "write:filters")
            let input = try await APIInput.read(request, context: context)
            var change = FilterChange()
            change.addKeywords = [(input.text("keyword"), input.flag("whole_word") ?? false)]
            let filter = try await core.filters.update(try api.id(context), owner: owner, change)
            guard let added = filter.keywords.last else { throw APIError.notFound }
            return JSON.response(MastodonEntities.keyword(added))
        }
        router.get("/api/v2/filters/keywords/{id}") { request, context in
            let owner = try await api.member(request, "read:filters")
            return JSON.response(MastodonEntities.keyword(try await keyword(try api.id(context), of: owner).keyword))
        }
        router.put("/api/v2/filters/keywords/{id}") { request, context in
            let owner = try await api.member(request, "write:filters")
            let input = try await APIInput.read(request, context: context)
            let (_, keyword) = try await changeKeyword(try api.id(context), of: owner) { id, change in
                change.changeKeywords = [(id, input["keyword"], input.flag("whole_word"))]
            }
            return JSON.response(MastodonEntities.keyword(keyword))
        }
        router.delete("/api/v2/filters/keywords/{id}") { request, context in
            let owner = try await api.member(request, "write:filters")
            let id = try api.id(context)
            let filter = try await keyword(id, of: owner).filter
            var change = FilterChange()
            change.removeKeywords = [id]
            _ = try await core.filters.update(filter.id, owner: owner, change)
            return JSON.response([String: Any]())
        }
        // Statuses
        router.get("/api/v2/filters/{id}/statuses") { request, context in
            let owner = try await api.member(request, "read:filters")
            return JSON.response(try await filter(try api.id(context), of: owner).statuses.map(MastodonEntities.filterStatus))
        }
        router.post("/api/v2/filters/{id}/statuses") { request, context in
            let owner = try await api.member(request, "write:filters")
            let input = try await APIInput.read(request, context: context)
            guard let statusID = input.id("status_id") else { throw APIError(.unprocessableContent, "Validation failed: status_id is missing") }
            let visible = try await core.feed.view(id: statusID, viewer: owner) != nil
            return JSON.response(MastodonEntities.filterStatus(try await core.filters.addStatus(statusID, to: try api.id(context), owner: owner, visible: visible)))
        }
        router.get("/api/v2/filters/statuses/{id}") { request, context in
            let owner = try await api.member(request, "read:filters")
            let id = try api.id(context)
            guard let entry = try await core.filters.filter(ofStatusEntry: id, owner: owner)?.statuses.first(where: { $0.id == id }) else { throw APIError.notFound }
            return JSON.response(MastodonEntities.filterStatus(entry))
        }
        router.delete("/api/v2/filters/statuses/{id}") { request, context in
            let owner = try await api.member(request, "write:filters")
            try await core.filters.removeStatusEntry(try api.id(context), owner: owner)
            return JSON.response([String: Any]())
        }
        // v1: a filter per keyword.
        router.get("/api/v1/filters") { request, _ in
            let owner = try await api.member(request, "read:filters")
            let filters = try await core.filters.filters(of: owner)
            return JSON.response(filters.flatMap { filter in filter.keywords.map { MastodonEntities.filterV1(filter, $0) } })
        }
        router.post("/api/v1/filters") { request, context in
            let owner = try await api.member(request, "write:filters")
            let input = try await APIInput.read(request, context: context)
            var change = try v1Change(input)
            change.title = input.text("phrase")
            change.addKeywords = [(input.text("phrase"), input.flag("whole_word") ?? true)]
            let filter = try await core.filters.create(owner: owner, change)
            guard let keyword = filter.keywords.first else { throw APIError.notFound }
            return JSON.response(MastodonEntities.filterV1(filter, keyword))
        }
        router.get("/api/v1/filters/{id}") { request, context in
            let owner = try await api.member(request, "read:filters")
            let (filter, keyword) = try await keyword(try api.id(context), of: owner)
            return JSON.response(MastodonEntities.filterV1(filter, keyword))
        }
        router.put("/api/v1/filters/{id}") { request, context in
            let owner = try await api.member(request, "write:filters")
            let input = try await APIInput.read(request, context: context)
            var base = try v1Change(input)
            if let phrase = input["phrase"] { base.title = phrase }
            let (updated, keyword) = try await changeKeyword(try api.id(context), of: owner, starting: base) { id, change in
                change.changeKeywords = [(id, input["phrase"], input.flag("whole_word"))]
            }
            return JSON.response(MastodonEntities.filterV1(updated, keyword))
        }
        router.delete("/api/v1/filters/{id}") { request, context in
            let owner = try await api.member(request, "write:filters")
            let id = try api.id(context)
            let filter = try await keyword(id, of: owner).filter
            if filter.keywords.count <= 1 {
                try await core.filters.delete(filter.id, owner: owner)
            } else {
                var change = FilterChange()
                change.removeKeywords = [id]
                _ = try await core.filters.update(filter.id, owner: owner, change)
            }
            return JSON.response([String: Any]())
        }
    }

    /// The member's filter `id`; 404 for none or another's.
    private func filter(_ id: Int64, of owner: Account) async throws -> Filter {
        guard let filter = try await core.filters.filter(id, owner: owner) else { throw APIError.notFound }
        return filter
    }

    /// The member's keyword `id` and the filter holding it; 404 for none or another's.
    private func keyword(_ id: Int64, of owner: Account) async throws -> (filter: Filter, keyword: Filter.Keyword) {
        guard let filter = try await core.filters.filter(ofKeyword: id, owner: owner),
              let keyword = filter.keywords.first(where: { $0.id == id }) else { throw APIError.notFound }
        return (filter, keyword)
    }

    /// Changes keyword `id` (v1 and v2 alike) and answers with the filter and the keyword as they are after it.
    private func changeKeyword(_ id: Int64, of owner: Account, starting base: FilterChange = FilterChange(),
                               _ describe: (Int64, inout FilterChange) -> Void) async throws -> (filter: Filter, keyword: Filter.Keyword) {
        let filter = try await keyword(id, of: owner).filter
        var change = base
        describe(id, &change)
        let updated = try await core.filters.update(filter.id, owner: owner, change)
        guard let keyword = updated.keywords.first(where: { $0.id == id }) else { throw APIError.notFound }
        return (updated, keyword)
    }

    private func contexts(_ input: APIInput) throws -> Set<FilterContext>? {
        let raw = input.list("context")
        guard !raw.isEmpty else { return nil }
        let parsed = raw.compactMap(FilterContext.init(rawValue:))
        guard parsed.count == raw.count else { throw APIError(.unprocessableContent, "Validation failed: Context is not included in the list") }
        return Set(parsed)
    }

    private func expiresIn(_ input: APIInput) throws -> Int64?? {
        guard let raw = input["expires_in"] else { return nil }
        if raw.isEmpty { return .some(nil) }
        guard let seconds = Int64(raw), seconds > 0 else { throw APIError(.unprocessableContent, "Validation failed: expires_in is not a number of seconds") }
        return .some(seconds)
    }

    /// A v2 filter change from its form: `keywords_attributes[][keyword|whole_word|id|_destroy]`.
    private func change(_ input: APIInput, creating: Bool) throws -> FilterChange {
        var change = FilterChange()
        change.title = input["title"]
        change.contexts = try contexts(input)
        if let action = input["filter_action"] {
            guard let parsed = Filter.Action(rawValue: action) else { throw APIError(.unprocessableContent, "Validation failed: Filter action is not included in the list") }
            change.action = parsed
        }
        change.expiresIn = try expiresIn(input)
        var groups: [String: [String: String]] = [:]
        for name in input.names(withPrefix: "keywords_attributes[") {
            let parts = name.dropFirst("keywords_attributes[".count).split(separator: "]").map { $0.trimmingCharacters(in: .init(charactersIn: "[")) }
            guard parts.count == 2 else { continue }
            groups[parts[0], default: [:]][parts[1]] = input[name]
        }
        // `keywords_attributes[][keyword]=a&keywords_attributes[][keyword]=b` (no index): each value is its own keyword.
        for keyword in input.list("keywords_attributes[][keyword]") { change.addKeywords.append((keyword, false)) }
        for key in groups.keys.sorted(by: { (Int($0) ?? 0, $0) < (Int($1) ?? 0, $1) }) {
            let group = groups[key]!
            let whole = group["whole_word"].map { ["true", "1", "on"].contains($0.lowercased()) }
            if let id = group["id"].flatMap({ Int64($0) }) {
                if let destroy = group["_destroy"], ["true", "1"].contains(destroy.lowercased()) { change.removeKeywords.append(id) }
                else { change.changeKeywords.append((id, group["keyword"], whole)) }
            } else if let keyword = group["keyword"] {
                change.addKeywords.append((keyword, whole ?? false))
            }
        }
        if creating && change.title == nil { throw APIError(.unprocessableContent, "Validation failed: Title can't be blank") }
        return change
    }

    private func v1Change(_ input: APIInput) throws -> FilterChange {
        var change = FilterChange()
        change.contexts = try contexts(input)
        if let irreversible = input.flag("irreversible") { change.action = irreversible ? .hide : .warn }
        change.expiresIn = try expiresIn(input)
        return change
    }
}
