import Foundation
import Hummingbird
import StarconCore

/// `/api/v1/accounts`: profiles, their statuses and follows, and following, blocking and muting them.
struct AccountAPIRoutes {
    let api: APISupport
    var core: Core { api.web.core }

    func add(to router: Router<WebContext>) {
        router.patch("/api/v1/accounts/update_credentials") { request, context in try await updateCredentials(request, context) }
        router.get("/api/v1/accounts/lookup") { request, context in
            let viewer = try await api.member(request, "read:accounts")
            let input = try await APIInput.read(request, context: context)
            guard let account = try await core.relationships.view(username: input.text("acct").split(separator: "@").first.map(String.init) ?? "",
                                                                  viewer: viewer)?.account else { throw APIError.notFound }
            return JSON.response(api.entities.account(account, counts: try await core.relationships.counts(account.id)))
        }
        router.post("/api/v1/accounts") { request, context in try await register(request, context) }
        router.get("/api/v1/accounts") { request, context in
            let viewer = try await api.member(request, "read:accounts")
            let input = try await APIInput.read(request, context: context)
            var accounts: [[String: Any]] = []
            for id in input.list("id").compactMap({ Int64($0) }).prefix(40) {
                if let view = try await core.relationships.view(id: id, viewer: viewer) {
                    accounts.append(api.entities.account(view.account, counts: try await core.relationships.counts(id)))
                }
            }
            return JSON.response(accounts)
        }
        router.post("/api/v1/accounts/{id}/note") { request, context in
            let actor = try await api.member(request, "write:accounts")
            let target = try await api.account(context)
            let input = try await APIInput.read(request, context: context)
            return JSON.response(api.entities.relationship(try await core.relationships.setNote(actor, about: target, input.text("comment"))))
        }
        for (path, on) in [("pin", true), ("unpin", false)] {
            router.post("/api/v1/accounts/{id}/\(path)") { request, context in
                let actor = try await api.member(request, "write:accounts")
                let target = try await api.account(context)
                return JSON.response(api.entities.relationship(try await core.relationships.endorse(actor, target, on)))
            }
        }
        router.get("/api/v1/endorsements") { request, _ in
            let actor = try await api.member(request, "read:accounts")
            return JSON.response(try await core.relationships.endorsements(of: actor.id).map { api.entities.account($0) })
        }
        router.get("/api/v1/accounts/{id}/endorsements") { request, context in
            let viewer = try await api.member(request, "read:accounts")
            let account = try await api.visibleAccount(context, viewer: viewer)
            return JSON.response(try await core.relationships.visible(try await core.relationships.endorsements(of: account.id), to: viewer)
                .map { api.entities.account($0) })
        }
        router.get("/api/v1/accounts/relationships") { request, context in
            let viewer = try await api.member(request, "read:follows")
            let input = try await APIInput.read(request, context: context)
            let relationships = try await core.relationships.relationships(viewer, input.list("id").compactMap { Int64($0) })
            return JSON.response(relationships.map(api.entities.relationship))
        }
        router.get("/api/v1/accounts/{id}") { request, context in
            let viewer = try await api.member(request, "read:accounts")
            let account = try await api.visibleAccount(context, viewer: viewer)
            return JSON.response(api.entities.account(account, counts: try await core.relationships.counts(account.id)))
        }
        router.get("/api/v1/accounts/{id}/statuses") { request, context in
            let viewer = try await api.member(request, "read:statuses")
            let account = try await api.visibleAccount(context, viewer: viewer)
            let input = try await APIInput.read(request, context: context)
            let page = try await core.feed.timeline(.account(account.id), viewer: viewer, page: api.page(input), onlyMedia: input.flag("only_media") ?? false)
            var items = page.items
            if input.flag("exclude_reblogs") == true { items.removeAll { $0.reblog != nil } }
            if input.flag("exclude_replies") == true { items.removeAll { $0.status.inReplyToID != nil } }
            if input.flag("pinned") == true {
                // Pinned statuses are one short list, not paged.
                let pinned = input.id("max_id") == nil && input.id("min_id") == nil && input.id("since_id") == nil
                    ? try await core.feed.pinned(of: account.id, viewer: viewer) : []
                return JSON.response(pinned.map(api.entities.status))
            }
            return JSON.response(items.map(api.entities.status),
                                 headers: api.linkHeader(request, newest: page.newestCursor, oldest: page.oldestCursor))
        }
        for (path, direction) in [("followers", RelationshipService.Direction.followers), ("following", .following)] {
            router.get("/api/v1/accounts/{id}/\(path)") { request, context in
                let viewer = try await api.member(request, "read:accounts")
                let account = try await api.visibleAccount(context, viewer: viewer)
                let input = try await APIInput.read(request, context: context)
                let rows = try await core.relationships.accounts(direction, of: account.id, before: input.id("max_id"),
                                                                 limit: Int(clamping: min(max(input.id("limit") ?? 40, 1), 80)))
                return JSON.response(rows.map { api.entities.account($0.0) },
                                     headers: api.linkHeader(request, newest: rows.first?.cursor, oldest: rows.last?.cursor))
            }
        }
        let actions: [(String, String, @Sendable (Core, Account, Account) async throws -> Relationship)] = [
            ("follow", "write:follows", { try await $0.relationships.follow($1, $2) }),
            ("unfollow", "write:follows", { try await $0.relationships.unfollow($1, $2) }),
            ("block", "write:blocks", { try await $0.relationships.block($1, $2) }),
            ("unblock", "write:blocks", { try await $0.relationships.unblock($1, $2) }),
            ("mute", "write:mutes", { try await $0.relationships.mute($1, $2) }),
            ("unmute", "write:mutes", { try await $0.relationships.unmute($1, $2) }),
        ]
        for (path, scope, action) in actions {
            router.post("/api/v1/accounts/{id}/\(path)") { request, context in
                let actor = try await api.member(request, scope)
                let target = try await api.account(context)
                return JSON.response(api.entities.relationship(try await action(core, actor, target)))
            }
        }
        router.get("/api/v1/follow_requests") { request, _ in
            let actor = try await api.member(request, "read:follows")
            let rows = try await core.relationships.accounts(.requests, of: actor.id)
            return JSON.response(rows.map { api.entities.account($0.0) })
        }
        for (path, accept) in [("authorize", true), ("reject", false)] {
            router.post("/api/v1/follow_requests/{id}/\(path)") { request, context in
                let actor = try await api.member(request, "write:follows")
                return JSON.response(api.entities.relationship(try await core.relationships.answerRequest(actor, from: try api.id(context), accept: accept)))
            }
        }
    }

    /// Registration from an app (with its client_credentials token), by the instance's registration mode as
    /// on the web form: open joins at once, approval waits (the token works once approved), invitation needs
    /// `invite_code`. Mastodon's answer is a Token for the new member.
    private func register(_ request: Request, _ context: WebContext) async throws -> Response {
        let grant = try await OAuthRoutes.grant(request, core: core, scope: "write:accounts")
        guard let appID = grant.appID else { throw APIError(.forbidden, "This method requires an app token") }
        let input = try await APIInput.read(request, context: context)
        guard input.flag("agreement") == true else {
            throw APIError(.unprocessableContent, "Validation failed: Agreement must be accepted")
        }
        let username = input.text("username")
        let language = input["locale"].flatMap { AccountRules.languages.contains($0) ? $0 : nil }
        let account: Account
        do {
            account = try await core.registration.register(.init(username: username, displayName: username, password: input.text("password"),
                                                                 invitationCode: input["invite_code"], note: input.text("reason"), language: language))
        } catch let error as CoreError where error.kind == .conflict {
            // Mastodon answers a taken username as a validation error.
            throw APIError(.unprocessableContent, "Validation failed: Username has already been taken")
        }
        let token = try await core.oauth.issueToken(appID: appID, account: account, scopes: grant.scopes)
        return JSON.response(["access_token": token.token, "token_type": "Bearer", "scope": token.scopes.description,
                              "created_at": token.createdAt / 1000])
    }

    /// Accounts for a search: `name@domain` and `@name@domain` name a member of this network exactly (another
    /// domain names nobody: there is no federation); anything else matches names as the core searches them.
    /// Mastodon's `update_credentials`, as a form, JSON or multipart with `avatar` and `header` files (which
    /// go through the photo pipeline like any upload). Every part is checked before anything changes.
    private func updateCredentials(_ request: Request, _ context: WebContext) async throws -> Response {
        var account = try await api.member(request, "write:accounts")
        let input: APIInput
        var files: [String: MultipartInput.File] = [:]
        if MultipartInput.isMultipart(request) {
            guard let multipart = try await MultipartInput.read(request, maxBytes: 2 * RequestBody.photoLimit) else {
                throw APIError(.badRequest, "The multipart body is not valid")
            }
            input = APIInput.merging(query: request, fields: multipart.fields)
            for file in multipart.files where ["avatar", "header"].contains(file.field) && !file.data.isEmpty { files[file.field] = file }
        } else {
            input = try await APIInput.read(request, context: context)
        }
        var update = ProfileUpdate()
        update.displayName = input["display_name"]
        update.bio = input["note"]
        update.bot = input.flag("bot")
        update.discoverable = input.flag("discoverable")
        update.sensitive = input.flag("source[sensitive]")
        update.language = input["source[language]"]
        if let privacy = input["source[privacy]"] {
            guard let visibility = Visibility(api: privacy), visibility != .direct else {
                throw APIError(.unprocessableContent, "Validation failed: Privacy is not included in the list")
            }
            update.privacy = visibility
        }
        let fieldNames = input.names(withPrefix: "fields_attributes[")
        if !fieldNames.isEmpty {
            var byIndex: [Int: (name: String, value: String)] = [:]
            for name in fieldNames {
                // fields_attributes[0][name], fields_attributes[0][value]
                let parts = name.dropFirst("fields_attributes[".count).split(separator: "]").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "[")) }
                guard parts.count == 2, let index = Int(parts[0]), (0..<16).contains(index) else { continue }
                if parts[1] == "name" { byIndex[index, default: ("", "")].name = input.text(name) }
                if parts[1] == "value" { byIndex[index, default: ("", "")].value = input.text(name) }
            }
            update.fields = byIndex.keys.sorted().map { ProfileField(name: byIndex[$0]!.name, value: byIndex[$0]!.value) }
        }
        if let avatar = files["avatar"] { update.avatarMediaID = try await core.media.upload(owner: account, data: avatar.data).id }
        if let header = files["header"] { update.headerMediaID = try await core.media.upload(owner: account, data: header.data).id }
        account = try await core.accounts.updateProfile(of: account, update)
        if let locked = input.flag("locked") {
            try await core.relationships.setLocked(account, locked)
            account.locked = locked
        }
        return JSON.response(api.entities.account(account, counts: try await core.relationships.counts(account.id),
                                                  source: try await core.accounts.postingDefaults(of: account)))
    }
}
