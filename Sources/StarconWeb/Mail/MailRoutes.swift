import Foundation
import Hummingbird
import StarconCore

/// Web mail's folders: the folder list with unread counts, a folder's messages newest first (paged by
/// uid both ways), acting on selected messages (move, delete to Trash or for good in Trash, flag, read),
/// the member's own folders, and search. Every action is a form with its CSRF token; nothing needs script.
struct MailRoutes {
    let web: WebServices
    static let perPage = 30

    func add(to router: Router<WebContext>) {
        router.get("/mail") { _, context in try await inboxRedirect(context) }
        router.get("/mail/f/{box}") { request, context in try await folderPage(request, context) }
        router.post("/mail/f/{box}/act") { request, context in try await act(request, context) }
        router.get("/mail/folders") { _, context in try await foldersPage(context) }
        router.post("/mail/folders") { request, context in try await createFolder(request, context) }
        router.post("/mail/folders/{box}/rename") { request, context in try await renameFolder(request, context) }
        router.post("/mail/folders/{box}/delete") { request, context in try await deleteFolder(request, context) }
        router.get("/mail/search") { request, context in try await searchPage(request, context) }
    }

    // MARK: Shared

    static func folderPath(_ id: Int64) -> String { "/mail/f/\(id)" }
    static func messagePath(_ box: Int64, _ uid: Int64) -> String { "/mail/f/\(box)/m/\(uid)" }

    /// The folder list every mail page shows, with unread counts, `current` marked.
    static func folderList(_ web: WebServices, _ member: Account, current: Int64?, _ context: WebContext) async throws -> (mailboxes: [Mailbox], rows: [[String: Any]]) {
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let mailboxes = MailFormat.ordered(try await web.core.mail.mailboxes(of: member))
        let unread = try await web.core.mail.unreadCounts(of: member)
        let rows = mailboxes.map { box -> [String: Any] in
            let count = unread[box.id] ?? 0
            var row: [String: Any] = ["path": folderPath(box.id), "name": MailFormat.folderName(box, t), "current": box.id == current,
                                      "role": box.role?.rawValue ?? "own"]
            if count > 0, box.role != .trash, box.role != .junk, box.role != .sent {
                row["count"] = formatter.number(count)
                row["count_label"] = t.plural("mail_unread", count: count, formatter: formatter)
            }
            return row
        }
        return (mailboxes, rows)
    }

    /// A message list row.
    static func row(_ entry: MailEntry, box: Mailbox?, t: Catalogue, formatter: Formatters, showFolder: String? = nil) -> [String: Any] {
        let outgoing = box?.role == .sent || box?.role == .drafts
        let who = outgoing ? MailFormat.displayName(entry.summary.to) : MailFormat.displayName(entry.summary.from)
        let path = entry.flags.contains(.draft) && box?.role == .drafts
            ? "/mail/compose?draft=\(entry.mailboxID).\(entry.uid)" : messagePath(entry.mailboxID, entry.uid)
        return [
            "uid": String(entry.uid), "box": String(entry.mailboxID), "path": path,
            "who": who.isEmpty ? t.text("mail_no_sender") : who,
            "who_label": outgoing ? t.text("mail_to") : t.text("mail_from"),
            "subject": entry.summary.subject.isEmpty ? t.text("mail_no_subject") : entry.summary.subject,
            "date": formatter.dateTime(entry.summary.date ?? entry.internalDate),
            "unread": !entry.flags.contains(.seen), "flagged": entry.flags.contains(.flagged),
            "answered": entry.flags.contains(.answered), "attachment": entry.summary.hasAttachments,
            "folder": showFolder ?? "",
        ]
    }

    private func page(_ template: String, title: String, _ context: WebContext, data: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        web.renderer.page(template, title: title, section: .mail, data: data, context: context, status: status)
    }

    private func boxID(_ context: WebContext) throws -> Int64 {
        guard let id = context.parameters.get("box", as: Int64.self) else { throw PageError.notFound }
        return id
    }

    private func inboxRedirect(_ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let inbox = try await web.core.mail.mailbox(role: .inbox, of: member)
        return WebServices.redirect(Self.folderPath(inbox.id))
    }

    // MARK: A folder

    private func folderPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let id = try boxID(context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let (mailboxes, folders) = try await Self.folderList(web, member, current: id, context)
        guard let box = mailboxes.first(where: { $0.id == id }) else { throw PageError.notFound }
        let query = request.uri.queryParameters
        let page = try await web.core.mail.page(
            mailboxID: id, before: query["before"].flatMap { Int64(String($0)) }, after: query["after"].flatMap { Int64(String($0)) },
            limit: Self.perPage, of: member)
        let name = MailFormat.folderName(box, t)
        return self.page("mail_folder", title: name, context, data: [
            "folders": folders, "name": name, "path": Self.folderPath(id),
            "messages": page.entries.map { Self.row($0, box: box, t: t, formatter: formatter) },
            "any_messages": !page.entries.isEmpty,
            "older": page.olderFrom.map { "\(Self.folderPath(id))?before=\($0)" } ?? "",
            "newer": page.newerFrom.map { "\(Self.folderPath(id))?after=\($0)" } ?? "",
            "targets": mailboxes.filter { $0.id != id }.map { ["id": String($0.id), "name": MailFormat.folderName($0, t)] },
            "in_trash": box.role == .trash,
            "return_to": request.uri.path + (request.uri.query.map { "?" + $0 } ?? ""),
        ])
    }

    /// Acts on the messages ticked in a list (`uid_N`), or the one a reading page names.
    private func act(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        let id = try boxID(context)
        let box = try await web.core.mail.mailbox(id: id, of: member)
        let uids = form.names(withPrefix: "uid_").compactMap(Int64.init).sorted()
        let back = WebServices.safeLocalPath(form["return_to"]) ?? Self.folderPath(id)
        guard !uids.isEmpty else { return web.redirect(back, flash: Flash("mail_nothing_selected")) }
        let set: MailUIDSet = uids.map { $0...$0 }
        let mail = web.core.mail
        var flash = "mail_done"
        var location = back
        switch form.text("action") {
        case "read": _ = try await mail.store(mailboxID: id, uids: set, flags: .seen, .add, of: member)
        case "unread":
            _ = try await mail.store(mailboxID: id, uids: set, flags: .seen, .remove, of: member)
            // Back on the reading page it would be read again: to the folder instead.
            location = Self.afterRemoving(back, box: id)
        case "flag": _ = try await mail.store(mailboxID: id, uids: set, flags: .flagged, .add, of: member)
        case "unflag": _ = try await mail.store(mailboxID: id, uids: set, flags: .flagged, .remove, of: member)
        case "move":
            guard let target = Int64(form.text("target")), target != id else { return web.redirect(back, flash: Flash("mail_choose_folder")) }
            _ = try await mail.move(mailboxID: id, uids: set, to: target, of: member)
            flash = "mail_moved"
            location = Self.afterRemoving(back, box: id)
        case "delete":
            if box.role == .trash {
                _ = try await mail.store(mailboxID: id, uids: set, flags: .deleted, .add, of: member)
                _ = try await mail.expunge(mailboxID: id, uids: set, of: member)
                flash = "mail_deleted_for_good"
            } else {
                let trash = try await mail.mailbox(role: .trash, of: member)
                _ = try await mail.move(mailboxID: id, uids: set, to: trash.id, of: member)
                flash = "mail_moved_to_trash"
            }
            location = Self.afterRemoving(back, box: id)
        default:
            throw PageError(.badRequest, messageKey: "error.invalid_input")
        }
        return web.redirect(location, flash: Flash(flash))
    }

    /// After a message leaves the folder, a reading page of it is gone: back to the folder.
    static func afterRemoving(_ back: String, box: Int64) -> String {
        back.hasPrefix(folderPath(box) + "/m/") ? folderPath(box) : back
    }

    // MARK: The member's folders

    private func foldersPage(_ context: WebContext, error: String? = nil, values: [String: String] = [:],
                             status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        let (mailboxes, folders) = try await Self.folderList(web, member, current: nil, context)
        return page("mail_folders", title: t.text("mail_folders_title"), context, data: [
            "folders": folders,
            "own": mailboxes.filter { $0.role == nil }.map { ["id": String($0.id), "name": $0.name, "path": Self.folderPath($0.id)] },
            "any_own": mailboxes.contains { $0.role == nil },
            "error": error as Any, "values": values,
        ], status: status)
    }

    private func createFolder(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        return try await web.handlingFormErrors(context) {
            let box = try await web.core.mail.createMailbox(named: form.text("name"), of: member)
            return web.redirect(Self.folderPath(box.id), flash: Flash("mail_folder_created"))
        } onError: { error, message in
            try await foldersPage(context, error: message, values: ["name": form.text("name")], status: error.httpStatus)
        }
    }

    private func renameFolder(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        let id = try boxID(context)
        guard try await web.core.mail.mailbox(id: id, of: member).role == nil else { throw PageError.forbidden }
        return try await web.handlingFormErrors(context) {
            _ = try await web.core.mail.renameMailbox(id: id, to: form.text("name"), of: member)
            return web.redirect("/mail/folders", flash: Flash("mail_folder_renamed"))
        } onError: { error, message in
            try await foldersPage(context, error: message, status: error.httpStatus)
        }
    }

    private func deleteFolder(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        _ = try await web.form(request, context)
        let id = try boxID(context)
        return try await web.handlingFormErrors(context) {
            try await web.core.mail.deleteMailbox(id: id, of: member)
            return web.redirect("/mail/folders", flash: Flash("mail_folder_deleted"))
        } onError: { error, message in
            try await foldersPage(context, error: message, status: error.httpStatus)
        }
    }

    // MARK: Search

    private func searchPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let parameters = FormInput.query(request)
        let query = parameters["q"] ?? ""
        let field = parameters["in"].flatMap { TextSearchIndex.Field(rawValue: $0) } ?? .all
        let (mailboxes, folders) = try await Self.folderList(web, member, current: nil, context)
        let byID = Dictionary(uniqueKeysWithValues: mailboxes.map { ($0.id, $0) })
        let perPage = 50
        let offset = min(max(0, request.uri.queryParameters["from"].flatMap { Int(String($0)) } ?? 0), MailService.maxSearchOffset)
        // One more than a page tells whether older results exist.
        var found = query.isEmpty ? [] : try await web.core.mail.search(query, field: field, limit: perPage + 1, offset: offset, of: member)
        let hasOlder = found.count > perPage && offset + perPage <= MailService.maxSearchOffset
        found = Array(found.prefix(perPage))
        func link(_ from: Int) -> String {
            let q = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            return "/mail/search?q=\(q)&in=\(field.rawValue)" + (from > 0 ? "&from=\(from)" : "")
        }
        let count: String = if query.isEmpty { "" }
            else if offset == 0, !hasOlder { t.plural("mail_found_count", count: found.count, formatter: formatter) }
            else if found.isEmpty { t.plural("mail_found_count", count: 0, formatter: formatter) }
            else { t.text("mail_search_range", ["from": formatter.number(offset + 1), "to": formatter.number(offset + found.count)]) }
        return page("mail_search", title: t.text("mail_search_title"), context, data: [
            "newer": offset > 0 ? link(max(0, offset - perPage)) : "", "older": hasOlder ? link(offset + perPage) : "",
            "folders": folders, "query": query, "searched": !query.isEmpty,
            "fields": TextSearchIndex.Field.allCases.map { ["value": $0.rawValue, "label": t.text("mail_search_in_\($0.rawValue)"), "selected": $0 == field] },
            "results": found.map { entry in
                Self.row(entry, box: byID[entry.mailboxID], t: t, formatter: formatter,
                         showFolder: byID[entry.mailboxID].map { MailFormat.folderName($0, t) })
            },
            "any_results": !found.isEmpty,
            // Not "count": the navigation's unread badges would read it where they have none of their own.
            "found_count": count,
        ])
    }
}
