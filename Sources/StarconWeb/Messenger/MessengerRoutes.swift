import Foundation
import Hummingbird
import StarconCore

/// The messenger on the web: the conversation list and a conversation page, both complete without
/// JavaScript (send by form, reload for new messages). `messenger.js` adds live updates over the stream.
struct MessengerRoutes {
    let web: WebServices
    var core: Core { web.core }

    func add(to router: Router<WebContext>) {
        router.get("/messages") { request, context in try await listPage(request, context) }
        router.post("/messages") { request, context in try await start(request, context) }
        router.get("/messages/{id}") { request, context in try await conversationPage(request, context) }
        router.post("/messages/{id}/send") { request, context in try await send(request, context) }
        router.post("/messages/{id}/{action}") { request, context in try await action(request, context) }
        router.post("/messages/{id}/members/{account_id}/remove") { request, context in try await removeMember(request, context) }
        router.post("/messages/{id}/m/{message_id}/delete") { request, context in try await deleteMessage(request, context) }
        router.get("/messages/{id}/m/{message_id}/edit") { request, context in try await editPage(request, context) }
        router.post("/messages/{id}/m/{message_id}/edit") { request, context in try await editMessage(request, context) }
    }

    // MARK: Pages

    private func listPage(_ request: Request, _ context: WebContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let views = try await core.messenger.conversations(viewer: member)
        let items: [[String: Any]] = views.map { view in
            var item: [String: Any] = [
                "href": "/messages/\(view.id)", "title": Self.title(view, viewer: member, t: t),
                "muted": view.muted, "is_group": view.conversation.kind == .group,
            ]
            if view.unread > 0 {
                item["unread"] = formatter.number(view.unread)
                item["unread_label"] = t.plural("messenger_unread", count: view.unread, formatter: formatter)
            }
            if let last = view.lastMessage {
                item["last_sender"] = last.sender.displayName
                item["last_text"] = String(last.text.prefix(120))
                item["last_date"] = formatter.listDate(last.createdAt)
                item["last_iso"] = JSON.iso8601(last.createdAt)
                item["last_full"] = formatter.dateTime(last.createdAt)
            }
            return item
        }
        let data: [String: Any] = ["conversations": items, "empty": items.isEmpty]
        return web.renderer.page("messenger_list", title: t.text("messages_title"), section: .messages, data: data, context: context, status: status)
    }

    private func conversationPage(_ request: Request, _ context: WebContext, draft: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let query = FormInput.query(request)
        let before = query["before"].flatMap { Int64($0) }
        let search = query["q"]?.trimmingCharacters(in: .whitespaces) ?? ""
        var view = try await core.messenger.conversation(id: id, viewer: member)
        var messages: [Message]
        var hasOlder = false
        if !search.isEmpty {
            messages = try await core.messenger.search(viewer: member, conversationID: id, query: search)
        } else {
            let page = try await core.messenger.messages(viewer: member, conversationID: id, before: before, limit: 50)
            messages = page.messages
            hasOlder = page.hasOlder
            // Reading the newest page marks it read.
            if before == nil, let newest = messages.first, newest.id > view.viewerReadID {
                try await core.messenger.markRead(actor: member, conversationID: id, upTo: newest.id)
                view = try await core.messenger.conversation(id: id, viewer: member)
            }
        }
        messages.reverse()  // oldest at the top, newest at the bottom
        // What the replies answer: from this page, else from the store (a reply to an older message).
        var byID = Dictionary(messages.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let onPage = Set(byID.keys)
        // The message the composer replies to: `?reply_to=ID` (the Reply link), or the draft of a refused send.
        let replyTo = (draft["reply_to"] as? Int64) ?? query["reply_to"].flatMap { Int64(String($0)) }
        let missing = (messages.compactMap(\.replyToID) + (replyTo.map { [$0] } ?? [])).filter { byID[$0] == nil }
        if !missing.isEmpty {
            for message in try await core.messenger.messages(viewer: member, conversationID: id, ids: missing) { byID[message.id] = message }
        }
        let readers = view.members.filter { $0.account.id != member.id }
        let photo = PhotoViewModel(catalogue: t, formatter: formatter)
        let items: [[String: Any]] = messages.enumerated().map { index, message in
            let may = view.messagePermissions(message)
            var item: [String: Any] = [
                "id": String(message.id), "sender": message.sender.displayName, "sender_username": message.sender.username,
                "html": Self.html(message.text), "date": formatter.messageTime(message.createdAt), "iso_date": JSON.iso8601(message.createdAt), "full_date": formatter.dateTime(message.createdAt),
                "mine": message.sender.id == member.id, "edited": message.editedAt != nil,
                "can_reply": may.reply, "can_edit": may.edit, "can_delete": may.delete,
                "delete_action": "/messages/\(id)/m/\(message.id)/delete",
                "reply_href": "/messages/\(id)?reply_to=\(message.id)#compose",
                "edit_href": "/messages/\(id)/m/\(message.id)/edit",
                "report_href": may.report ? ReportRoutes.href(.message, message.id, returnTo: "/messages/\(id)") : "",
            ]
            if !message.attachments.isEmpty {
                item["has_pictures"] = true
                // The newest messages are the first screen (the box opens at its end).
                let presentation = context.photos.presentation(position: messages.count - 1 - index)
                let reveal = "/messages/\(id)?\(before.map { "before=\($0)&" } ?? "")photos=show#m\(message.id)"
                item["pictures"] = message.attachments.map { photo.values($0, presentation, revealHref: reveal) }
            }
            if let reply = message.replyToID {
                // The quote links to the original: on this page, or the page of history that ends with it.
                let href = onPage.contains(reply) ? "#m\(reply)" : "/messages/\(id)?before=\(reply + 1)#m\(reply)"
                if let original = byID[reply] {
                    item["reply"] = ["id": String(reply), "sender": original.sender.displayName, "excerpt": Self.excerpt(original, t: t), "href": href]
                } else {
                    item["reply"] = ["id": String(reply), "sender": "", "excerpt": t.text("messenger_reply_earlier"), "href": href]
                }
            }
            if message.sender.id == member.id {
                let seen = readers.filter { $0.lastReadID >= message.id }.count
                if seen > 0, view.conversation.kind == .direct { item["seen"] = true }
            }
            return item
        }
        let members: [[String: Any]] = view.members.map { m in
            ["display_name": m.account.displayName, "username": m.account.username, "admin": m.role == .admin,
             "remove_action": "/messages/\(id)/members/\(m.account.id)/remove",
             "confirm_remove": t.text("safety_confirm_remove_member", ["name": m.account.displayName]),
             "removable": view.permissions.removeMembers && m.account.id != member.id]
        }
        var data: [String: Any] = [
            "id": String(id), "title": Self.title(view, viewer: member, t: t), "messages": items, "empty": items.isEmpty && search.isEmpty,
            "members": members, "is_group": view.conversation.kind == .group,
            "can_add_members": view.permissions.addMembers, "can_rename": view.permissions.rename, "can_send": view.permissions.send,
            "can_leave": view.permissions.leave,
            "muted": view.muted, "search": search, "searching": !search.isEmpty, "no_results": !search.isEmpty && items.isEmpty,
            "client_key": Secrets.token(), "draft": draft["text"] ?? "", "error": draft["error"] ?? "",
            // A picture that arrives live is the newest message: it loads as the first screen's would.
            "live_photo_load": context.photos.presentation(position: 0).trigger.rawValue,
            "live_photo_slow": context.photos.presentation(position: 0).unlessSlowLink,
            "group_title": view.conversation.title, "me": String(member.id), "last_id": String(messages.last?.id ?? 0),
            "script": web.renderer.assets.url("messenger.js"), "live": before == nil && search.isEmpty,
            "locale": formatter.localeTag, "time_zone": context.timeZone.identifier, "hour_style": formatter.hourStyle,
            "max_length": MessengerRules.maxTextCharacters,
            "photo_slots": (1...MessengerRules.maxAttachments).map { ["n": $0] },
        ]
        if let replyTo, let original = byID[replyTo] {
            data["replying"] = ["id": String(replyTo), "sender": original.sender.displayName, "excerpt": Self.excerpt(original, t: t),
                             "label": t.text("messenger_replying_to", ["name": original.sender.displayName])]
        }
        if hasOlder, let oldest = messages.first { data["older"] = "/messages/\(id)?before=\(oldest.id)" }
        if before != nil { data["newest"] = "/messages/\(id)" }
        return web.renderer.page("messenger_conversation", title: Self.title(view, viewer: member, t: t), section: .messages,
                                 data: data, context: context, status: status)
    }

    /// A group's title, or for a 1:1 conversation (and an untitled group) the other members' names.
    static func title(_ view: ConversationView, viewer: Account, t: Catalogue) -> String {
        if !view.conversation.title.isEmpty { return view.conversation.title }
        let names = view.others(than: viewer.id).map(\.account.displayName)
        return names.isEmpty ? t.text("messenger_only_you") : names.prefix(5).joined(separator: ", ")
    }

    /// A short quote of a message, for the line above a reply: its text's start, or "Picture" for a picture alone.
    static func excerpt(_ message: Message, t: Catalogue) -> String {
        let text = message.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if text.isEmpty { return message.attachments.isEmpty ? "" : t.text("messenger_picture") }
        return text.count > 80 ? String(text.prefix(80)) + "…" : text
    }

    /// Message text as HTML: escaped, line breaks kept, web links clickable.
    static func html(_ text: String) -> String {
        var html = ""
        for piece in StatusText.pieces(text) {
            switch piece {
            case .text(let text): html += HTML.escape(text).replacingOccurrences(of: "\n", with: "<br>")
            case .hashtag(let tag): html += "#" + HTML.escape(tag)
            case .mention(let name): html += "@" + HTML.escape(name)
            case .link(let url): html += "<a href=\"\(HTML.escape(url))\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">\(HTML.escape(url))</a>"
            }
        }
        return html
    }

    // MARK: Forms

    private func start(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        // Typed usernames, and members ticked in the picker's search results (`pick_NAME`).
        let typed = form.text("members").split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" }).map(String.init)
        let names = typed + form.names(withPrefix: "pick_").sorted().filter { !typed.contains($0) }
        return try await web.handlingFormErrors(context) {
            let view = try await core.messenger.start(creator: member, usernames: names, title: form.text("title"), group: form["group"] != nil)
            return WebServices.redirect("/messages/\(view.id)")
        } onError: { error, message in
            try await MessengerStartRoutes(web: web).page(request, context, form: ["members": names.joined(separator: ", "), "title": form.text("title"), "error": message],
                                                          status: error.httpStatus)
        }
    }

    private func send(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.uploadForm(request, context)
        guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
        return try await web.handlingFormErrors(context) {
            let replyTo = form["reply_to_id"].flatMap { Int64($0) }
            // Pictures come as `photo1…4` (with `alt1…4`) in a multipart form; empty file inputs are skipped.
            let photos = form.files.filter { $0.field.hasPrefix("photo") && !$0.data.isEmpty }
            guard photos.count <= MessengerRules.maxAttachments else { throw CoreError.invalid("media_count", field: "photo") }
            var mediaIDs: [Int64] = []
            if !photos.isEmpty {
                // Someone outside the conversation uploads nothing (and learns nothing: 404).
                try await core.messenger.ensureMember(member, conversationID: id)
                for photo in photos {
                    let alt = form.text("alt" + photo.field.dropFirst("photo".count))
                    mediaIDs.append(try await core.media.upload(owner: member, data: photo.data, description: alt).id)
                }
            }
            _ = try await core.messenger.send(sender: member, conversationID: id, text: form.text("text"), replyTo: replyTo,
                                              clientKey: form["client_key"], mediaIDs: mediaIDs)
            return WebServices.redirect("/messages/\(id)#compose")
        } onError: { error, message in
            var draft: [String: Any] = ["text": form.text("text"), "error": message]
            if let replyTo = form["reply_to_id"].flatMap({ Int64($0) }) { draft["reply_to"] = replyTo }
            return try await conversationPage(request, context, draft: draft, status: error.httpStatus)
        }
    }

    private func action(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
        let messenger = core.messenger
        switch context.parameters.get("action") ?? "" {
        case "mute": _ = try await messenger.setMuted(actor: member, conversationID: id, muted: true)
        case "unmute": _ = try await messenger.setMuted(actor: member, conversationID: id, muted: false)
        case "leave":
            let t = web.renderer.catalogue(context)
            if let ask = web.unconfirmed(form, request, context, question: t.text("safety_confirm_leave"),
                                         detail: t.text("safety_confirm_leave_detail"), button: t.text("messenger_leave"),
                                         back: "/messages/\(id)") { return ask }
            try await messenger.leave(actor: member, conversationID: id)
            return web.redirect("/messages", flash: Flash("messenger_left"))
        case "members":
            let names = form.text("members").split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" }).map(String.init)
            return try await web.handlingFormErrors(context) {
                _ = try await messenger.addMembers(actor: member, conversationID: id, usernames: names)
                return WebServices.redirect("/messages/\(id)")
            } onError: { error, message in
                try await conversationPage(request, context, draft: ["error": message], status: error.httpStatus)
            }
        case "title":
            return try await web.handlingFormErrors(context) {
                _ = try await messenger.setTitle(actor: member, conversationID: id, title: form.text("title"))
                return WebServices.redirect("/messages/\(id)")
            } onError: { error, message in
                try await conversationPage(request, context, draft: ["error": message], status: error.httpStatus)
            }
        default: throw PageError.notFound
        }
        return WebServices.redirect("/messages/\(id)")
    }

    private func removeMember(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        guard let id = context.parameters.get("id", as: Int64.self),
              let account = context.parameters.get("account_id", as: Int64.self) else { throw PageError.notFound }
        let t = web.renderer.catalogue(context)
        let name = try await core.accounts.find(id: account)?.displayName ?? ""
        if let ask = web.unconfirmed(form, request, context, question: t.text("safety_confirm_remove_member", ["name": name]),
                                     button: t.text("messenger_remove"), back: "/messages/\(id)") { return ask }
        _ = try await core.messenger.removeMember(actor: member, conversationID: id, accountID: account)
        return WebServices.redirect(account == member.id ? "/messages" : "/messages/\(id)")
    }

    private func deleteMessage(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        guard let id = context.parameters.get("id", as: Int64.self),
              let messageID = context.parameters.get("message_id", as: Int64.self) else { throw PageError.notFound }
        let t = web.renderer.catalogue(context)
        if let ask = web.unconfirmed(form, request, context, question: t.text("safety_confirm_delete_message"),
                                     button: t.text("messenger_delete"), back: "/messages/\(id)#m\(messageID)") { return ask }
        try await core.messenger.delete(actor: member, messageID: messageID)
        return WebServices.redirect("/messages/\(id)")
    }

    /// The page that edits one's own message (its text; pictures stay as they are).
    private func editPage(_ request: Request, _ context: WebContext, text: String? = nil, error: String? = nil,
                          status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let (view, message) = try await editableMessage(member, context)
        let id = view.id
        let t = web.renderer.catalogue(context)
        let data: [String: Any] = [
            "id": String(id), "message_id": String(message.id), "conversation_title": Self.title(view, viewer: member, t: t),
            "text": text ?? message.text, "error": error ?? "", "max_length": MessengerRules.maxTextCharacters,
            "has_pictures": !message.attachments.isEmpty,
            "pictures": message.attachments.map { picture -> [String: Any] in
                ["small": "/media/\(picture.small.file(picture.digest))", "alt": picture.description,
                 "width": picture.small.width, "height": picture.small.height]
            },
        ]
        return web.renderer.page("messenger_edit", title: t.text("messenger_edit_title"), section: .messages, data: data,
                                 context: context, status: status)
    }

    private func editMessage(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        let (view, message) = try await editableMessage(member, context)
        let id = view.id
        return try await web.handlingFormErrors(context) {
            _ = try await core.messenger.edit(actor: member, messageID: message.id, text: form.text("text"))
            return WebServices.redirect("/messages/\(id)#m\(message.id)")
        } onError: { error, text in
            try await editPage(request, context, text: form.text("text"), error: text, status: error.httpStatus)
        }
    }

    /// The conversation and the message from the path: `notFound` unless the message is in that conversation
    /// and the member is in it, `forbidden` unless the core lets the member edit it.
    private func editableMessage(_ member: Account, _ context: WebContext) async throws -> (ConversationView, Message) {
        guard let id = context.parameters.get("id", as: Int64.self),
              let messageID = context.parameters.get("message_id", as: Int64.self) else { throw PageError.notFound }
        let message = try await core.messenger.message(id: messageID, viewer: member)
        guard message.conversationID == id else { throw PageError.notFound }
        let view = try await core.messenger.conversation(id: id, viewer: member)
        guard view.messagePermissions(message).edit else { throw CoreError(.forbidden, "msg_not_sender") }
        return (view, message)
    }
}
