import Foundation
import Hummingbird
import StarconCore

/// Reading a message: its header, its text (links clickable, everything escaped) or its sanitised HTML,
/// its attachments (downloaded, never rendered, except pictures shown as pictures), its inline `cid:`
/// pictures through our own address, its thread, and its source as plain text.
struct MailReadRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.get("/mail/f/{box}/m/{uid}") { request, context in try await messagePage(request, context) }
        router.get("/mail/f/{box}/m/{uid}/source") { _, context in try await source(context) }
        router.get("/mail/f/{box}/m/{uid}/part/{part}") { request, context in try await part(request, context) }
        router.get("/mail/f/{box}/m/{uid}/cid/{cid}") { _, context in try await inlinePart(context) }
    }

    private func ids(_ context: WebContext) throws -> (box: Int64, uid: Int64) {
        guard let box = context.parameters.get("box", as: Int64.self), let uid = context.parameters.get("uid", as: Int64.self) else {
            throw PageError.notFound
        }
        return (box, uid)
    }

    /// The entry and its bytes, or not found.
    private func load(_ member: Account, _ context: WebContext) async throws -> (MailEntry, [UInt8]) {
        let (box, uid) = try ids(context)
        guard let entry = try await web.core.mail.entry(mailboxID: box, uid: uid, of: member),
              let raw = try await web.core.mail.raw(mailboxID: box, uids: [uid...uid], of: member)[uid] else { throw PageError.notFound }
        return (entry, raw)
    }

    private func messagePage(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let (entry, raw) = try await load(member, context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        if !entry.flags.contains(.seen) {
            _ = try await web.core.mail.store(mailboxID: entry.mailboxID, uids: [entry.uid...entry.uid], flags: .seen, .add, of: member)
        }
        let (mailboxes, folders) = try await MailRoutes.folderList(web, member, current: entry.mailboxID, context)
        let box = mailboxes.first { $0.id == entry.mailboxID }
        let display = MailDisplay(raw: raw)
        let path = MailRoutes.messagePath(entry.mailboxID, entry.uid)
        let showHTML = display.html != nil && (display.text == nil || request.uri.queryParameters["view"] == "html")
        let html = showHTML ? display.sanitizedHTML(path: path, blockedImageText: t.text("mail_blocked_image")) ?? "" : ""
        let summary = entry.summary
        let thread = try await web.core.mail.thread(of: entry, of: member)
        let ref = "\(entry.mailboxID).\(entry.uid)"
        return web.renderer.page("mail_message", title: summary.subject.isEmpty ? t.text("mail_no_subject") : summary.subject,
                                 section: .mail, data: [
            "folders": folders,
            "folder": ["name": box.map { MailFormat.folderName($0, t) } ?? "", "path": MailRoutes.folderPath(entry.mailboxID)],
            "subject": summary.subject.isEmpty ? t.text("mail_no_subject") : summary.subject,
            "headers": [
                ["label": t.text("mail_from"), "value": summary.from],
                ["label": t.text("mail_to"), "value": summary.to],
                ["label": t.text("mail_cc"), "value": summary.cc],
                ["label": t.text("mail_date"), "value": formatter.dateTime(summary.date ?? entry.internalDate)],
            ].filter { !($0["value"] ?? "").isEmpty },
            "path": path, "uid": String(entry.uid), "box": String(entry.mailboxID),
            "report_href": ReportRoutes.href(.mail, entry.messageID, returnTo: path),
            "flagged": entry.flags.contains(.flagged),
            "text_html": showHTML ? "" : MailFormat.textHTML(display.text ?? ""),
            "html": html,
            "html_link": display.html != nil && !showHTML ? "\(path)?view=html" : "",
            "text_link": showHTML && display.text != nil ? path : "",
            "attachments": display.attachments.map { attachment -> [String: Any] in
                [
                    "name": attachment.filename, "type": attachment.contentType,
                    "size": MailFormat.size(attachment.size, t, formatter),
                    "href": "\(path)/part/\(attachment.number)",
                    "image": attachment.isImage ? "\(path)/part/\(attachment.number)?inline=1" : "",
                ]
            },
            "any_attachments": !display.attachments.isEmpty,
            "any_thread": thread.count > 1,
            "thread": thread.count > 1 ? thread.map { item -> [String: Any] in
                [
                    "path": MailRoutes.messagePath(item.mailboxID, item.uid), "current": item.messageID == entry.messageID,
                    "who": MailFormat.displayName(item.summary.from), "date": formatter.dateTime(item.summary.date ?? item.internalDate),
                    "subject": item.summary.subject,
                ]
            } : [],
            "reply": "/mail/compose?reply=\(ref)", "reply_all": "/mail/compose?reply=\(ref)&all=1",
            "forward": "/mail/compose?forward=\(ref)", "forward_attached": "/mail/compose?forward=\(ref)&attach=1",
            "source": "\(path)/source",
            "targets": mailboxes.filter { $0.id != entry.mailboxID }.map { ["id": String($0.id), "name": MailFormat.folderName($0, t)] },
            "in_trash": box?.role == .trash,
            "return_to": path,
        ], context: context)
    }

    /// The message as stored, as plain text (never rendered by the browser).
    private func source(_ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let (_, raw) = try await load(member, context)
        return Response(status: .ok, headers: [
            .contentType: "text/plain; charset=utf-8", .cacheControl: "private, no-store", .contentDisposition: "inline",
        ], body: .init(byteBuffer: ByteBuffer(bytes: raw)))
    }

    /// An attachment: always a download (`attachment`), with its type; a picture asked for `?inline=1` is
    /// shown inline, and only the types a browser draws as pictures.
    private func part(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let (_, raw) = try await load(member, context)
        guard let number = context.parameters.get("part"), let part = MailDisplay(raw: raw).part(number) else { throw PageError.notFound }
        return Self.download(part, inline: request.uri.queryParameters["inline"] == "1")
    }

    private func inlinePart(_ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let (_, raw) = try await load(member, context)
        let cid = (context.parameters.get("cid") ?? "").removingPercentEncoding ?? ""
        guard let part = MailDisplay(raw: raw).inlinePart(contentID: cid), MailDisplay.inlineImageTypes.contains(part.contentType) else {
            throw PageError.notFound
        }
        return Self.download(part, inline: true)
    }

    static func download(_ part: MailDisplay.Part, inline: Bool) -> Response {
        let picture = inline && MailDisplay.inlineImageTypes.contains(part.contentType)
        let type = picture ? part.contentType : (part.contentType.isEmpty ? "application/octet-stream" : part.contentType)
        return Response(status: .ok, headers: [
            .contentType: type, .cacheControl: "private, no-store",
            .contentDisposition: (picture ? "inline" : "attachment") + "; " + contentDispositionFilename(part.filename),
        ], body: .init(byteBuffer: ByteBuffer(bytes: part.data)))
    }

    /// `filename="a.pdf"; filename*=UTF-8''%ED%8C%8C…` (RFC 6266): an ASCII fallback and the real name.
    static func contentDispositionFilename(_ name: String) -> String {
        let name = name.isEmpty ? "attachment" : name
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? ascii
        return "filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}
