import Hummingbird
import StarconCore

/// The feed's forms: posting, replying, editing, deleting, favourites, reposts, bookmarks, follows, blocks,
/// mutes and follow requests. Each sends the member back where they were.
struct FeedActionRoutes {
    let web: WebServices
    let pages: FeedRoutes

    func add(to router: Router<WebContext>) {
        router.post("/statuses") { request, context in try await create(request, context) }
        router.post("/statuses/{id}/edit") { request, context in try await edit(request, context) }
        router.post("/statuses/{id}/{action}") { request, context in try await statusAction(request, context) }
        router.post("/@{username}/{item}") { request, context in try await accountAction(request, context) }
        router.post("/follow_requests/{id}/{decision}") { request, context in try await answer(request, context) }
    }

    private func back(_ form: FormInput, default path: String = "/") -> Response {
        WebServices.redirect(WebServices.safeLocalPath(form["return_to"]) ?? path)
    }

    private func create(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.uploadForm(request, context)
        let replyTo = form["in_reply_to_id"].flatMap { Int64($0) }
        let visibility = Visibility(rawValue: form.text("visibility")) ?? .public
        return try await web.handlingFormErrors(context) {
            // The composer's one control sends `photos` (several files, described by alt1…4 in order); API-style
            // forms and older pages send `photo1…4` with `alt1…4`.
            let chosen = form.files.filter { $0.field == "photos" }
            let numbered = form.files.filter { $0.field.hasPrefix("photo") && $0.field != "photos" }
            guard chosen.count + numbered.count <= MediaAttachment.maxPerStatus else { throw CoreError.invalid("media_count", field: "photo") }
            let described = chosen.enumerated().map { ($1, form.text("alt\($0 + 1)")) }
                + numbered.map { ($0, form.text("alt" + $0.field.dropFirst("photo".count))) }
            var mediaIDs: [Int64] = []
            for (photo, alt) in described {
                mediaIDs.append(try await web.core.media.upload(owner: member, data: photo.data, description: alt).id)
            }
            // A poll when any option is filled in; the core checks the rest (two or more, photos or a poll).
            let options = (1...PollRules.maxOptions).map { form.text("poll_option_\($0)").trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let poll = options.isEmpty ? nil : NewPoll(options: options, expiresIn: Int64(form.text("poll_expires_in")) ?? 86_400,
                                                        multiple: form["poll_multiple"] != nil)
            var new = FeedService.NewStatus(text: form.text("text"), spoilerText: form.text("spoiler_text"),
                                            visibility: visibility, inReplyToID: replyTo, mediaIDs: mediaIDs, poll: poll)
            new.idempotencyKey = form["idempotency_key"].flatMap { $0.isEmpty ? nil : $0 }
            // A time in the member's zone schedules the post instead (the core checks it is far enough ahead).
            if replyTo == nil, !form.text("scheduled_at").isEmpty {
                let at = try ScheduledRoutes.milliseconds(localTime: form.text("scheduled_at"), in: context.timeZone)
                _ = try await web.core.feed.schedule(author: member, new, at: at)
                return web.redirect("/settings/scheduled", flash: Flash("schedule_saved"))
            }
            let view = try await web.core.feed.post(author: member, new)
            if replyTo != nil { return WebServices.redirect("/@\(member.username)/\(view.status.id)") }
            return web.redirect(WebServices.safeLocalPath(form["return_to"]) ?? "/", flash: Flash("feed_posted"))
        } onError: { error, message in
            let values: [String: Any] = ["text": form.text("text"), "spoiler_text": form.text("spoiler_text"),
                                         "visibility": visibility.rawValue, "error": message, "scheduled_at": form.text("scheduled_at")]
            if let replyTo, let parent = try await web.core.feed.view(id: replyTo, viewer: member) {
                return try await pages.statusPage(context, id: parent.status.id, username: parent.status.author.username,
                                                  reply: values, status: error.httpStatus)
            }
            return try await pages.timelinePage(.home, tab: "home", request, context, composer: values, status: error.httpStatus)
        }
    }

    private func edit(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
        _ = try await web.core.feed.edit(actor: member, id: id, text: form.text("text"), spoilerText: form.text("spoiler_text"))
        return web.redirect("/@\(member.username)/\(id)", flash: Flash("feed_saved"))
    }

    private func statusAction(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
        let feed = web.core.feed
        switch context.parameters.get("action") ?? "" {
        case "favourite": _ = try await feed.add(.favourite, by: member, statusID: id)
        case "unfavourite": _ = try await feed.remove(.favourite, by: member, statusID: id)
        case "bookmark": _ = try await feed.add(.bookmark, by: member, statusID: id)
        case "unbookmark": _ = try await feed.remove(.bookmark, by: member, statusID: id)
        case "reblog": _ = try await feed.reblog(by: member, statusID: id)
        case "unreblog": _ = try await feed.unreblog(by: member, statusID: id)
        case "mute": _ = try await feed.muteThread(by: member, statusID: id)
        case "unmute": _ = try await feed.unmuteThread(by: member, statusID: id)
        case let action where action.hasPrefix("react-") || action.hasPrefix("unreact-"):
            let code = action.split(separator: "-", maxSplits: 1).last.map(String.init) ?? ""
            let scalars = code.split(separator: "-").compactMap { UInt32($0, radix: 16).flatMap(Unicode.Scalar.init) }
            let emoji = String(String.UnicodeScalarView(scalars))
            if action.hasPrefix("react-") { _ = try await feed.react(by: member, statusID: id, emoji: emoji) } else { _ = try await feed.unreact(by: member, statusID: id, emoji: emoji) }
        case "vote":
            // One choice arrives as `choice`, several as `choice_N` (checkboxes).
            let choices = ([form["choice"]] + (0..<PollRules.maxOptions).map { form["choice_\($0)"] }).compactMap { $0.flatMap { Int($0) } }
            _ = try await feed.vote(by: member, pollID: id, choices: choices)
        case "delete":
            let t = web.renderer.catalogue(context)
            if let ask = web.unconfirmed(form, request, context, question: t.text("safety_confirm_delete_post"),
                                         button: t.text("feed_delete"), back: form["return_to"] ?? "/") { return ask }
            try await feed.delete(actor: member, id: id)
            let returnTo = WebServices.safeLocalPath(form["return_to"]) ?? "/"
            return web.redirect(returnTo.hasSuffix("/\(id)") ? "/" : returnTo, flash: Flash("feed_deleted"))
        default: throw PageError.notFound
        }
        // Back to the same page at the same post, so a member never loses their place for a like.
        let returnTo = WebServices.safeLocalPath(form["return_to"]).map { $0.split(separator: "#", maxSplits: 1).first.map(String.init) ?? $0 } ?? "/"
        return WebServices.redirect(returnTo + "#status-\(id)")
    }

    private func accountAction(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        guard let target = try await web.core.accounts.find(username: context.parameters.get("username") ?? ""),
              target.status == .active else { throw PageError.notFound }
        let relationships = web.core.relationships
        switch context.parameters.get("item") ?? "" {
        case "follow": _ = try await relationships.follow(member, target)
        case "unfollow": _ = try await relationships.unfollow(member, target)
        case "block":
            let t = web.renderer.catalogue(context)
            if let ask = web.unconfirmed(form, request, context, question: t.text("safety_confirm_block", ["name": target.displayName]),
                                         detail: t.text("safety_confirm_block_detail"), button: t.text("profile_block"),
                                         back: form["return_to"] ?? "/@\(target.username)") { return ask }
            _ = try await relationships.block(member, target)
        case "unblock": _ = try await relationships.unblock(member, target)
        case "mute": _ = try await relationships.mute(member, target)
        case "unmute": _ = try await relationships.unmute(member, target)
        default: throw PageError.notFound
        }
        return back(form, default: "/@\(target.username)")
    }

    private func answer(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        guard let requester = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
        let decision = context.parameters.get("decision") ?? ""
        guard decision == "accept" || decision == "reject" else { throw PageError.notFound }
        _ = try await web.core.relationships.answerRequest(member, from: requester, accept: decision == "accept")
        return back(form, default: "/notifications")
    }
}
