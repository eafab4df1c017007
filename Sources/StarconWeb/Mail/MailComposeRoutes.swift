import Foundation
import Hummingbird
import StarconCore

/// Writing mail: a new message, a reply, a reply to all, a forward (quoted, or the original attached),
/// a draft saved to Drafts and reopened. Addresses complete from the member directory (a `<datalist>`,
/// so without script too). The message is built by `MailComposer` (StarconMIME's writer) and sent by
/// `MailSubmission.submit`, the one path every message takes; its refusals come back as form messages.
struct MailComposeRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.get("/mail/compose") { request, context in try await composePage(request, context) }
        router.post("/mail/compose") { request, context in try await submit(request, context) }
    }

    /// `B.U` (mailbox id, uid) as the compose form names a message.
    struct Ref: Equatable {
        let box: Int64
        let uid: Int64
        init?(_ text: String?) {
            guard let parts = text?.split(separator: "."), parts.count == 2, let box = Int64(parts[0]), let uid = Int64(parts[1]) else { return nil }
            self.box = box
            self.uid = uid
        }
        var text: String { "\(box).\(uid)" }
    }

    private func original(_ ref: Ref?, _ member: Account) async throws -> (MailEntry, [UInt8])? {
        guard let ref else { return nil }
        guard let entry = try await web.core.mail.entry(mailboxID: ref.box, uid: ref.uid, of: member),
              let raw = try await web.core.mail.raw(mailboxID: ref.box, uids: [ref.uid...ref.uid], of: member)[ref.uid] else {
            throw PageError.notFound
        }
        return (entry, raw)
    }

    // MARK: The form

    private func composePage(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let query = request.uri.queryParameters
        var values: [String: String] = ["to": query["to"].map(String.init) ?? ""]
        var kept: [[String: Any]] = []
        let signature = try await web.core.mail.signature(of: member)
        let own = web.core.mail.address(of: member).lowercased()
        if let (entry, raw) = try await original(Ref(query["draft"].map(String.init)), member) {
            let display = MailDisplay(raw: raw)
            let summary = entry.summary
            values = ["to": MailFormat.bare(summary.to), "cc": MailFormat.bare(summary.cc),
                      "bcc": MailFormat.bare(MailComposer.header("Bcc", in: raw) ?? ""), "subject": summary.subject,
                      "body": display.text ?? "", "in_reply_to": summary.inReplyTo, "references": summary.references,
                      "draft_ref": "\(entry.mailboxID).\(entry.uid)"]
            kept = display.attachments.map { ["index": $0.number, "name": $0.filename, "size": MailFormat.size($0.size, t, formatter)] }
            values["source_ref"] = values["draft_ref"]
        } else if let (entry, raw) = try await original(Ref(query["reply"].map(String.init)), member) {
            let summary = entry.summary
            let display = MailDisplay(raw: raw)
            let replyTo = MailComposer.header("Reply-To", in: raw) ?? summary.from
            values["to"] = MailFormat.bare(replyTo)
            if query["all"] == "1" {
                let others = (MailFormat.addresses(summary.to) + MailFormat.addresses(summary.cc)).filter {
                    MailFormat.address($0).lowercased() != own && MailFormat.address($0).lowercased() != MailFormat.address(replyTo).lowercased()
                }
                values["cc"] = others.map(MailFormat.address).joined(separator: ", ")
            }
            values["subject"] = MailFormat.replySubject(summary.subject)
            values["in_reply_to"] = summary.messageID
            values["references"] = (summary.references + " " + summary.messageID).trimmingCharacters(in: .whitespaces)
            values["reply_ref"] = "\(entry.mailboxID).\(entry.uid)"
            let said = t.text("mail_quote_header", ["date": formatter.dateTime(summary.date ?? entry.internalDate),
                                                      "name": MailFormat.displayName(summary.from)])
            let quoted = MailComposer.withoutSignature(display.text ?? "").split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? ">" : "> " + $0 }.joined(separator: "\n")
            values["body"] = "\n\n" + MailComposer.signatureBlock(signature) + said + "\n" + quoted
        } else if let (entry, raw) = try await original(Ref(query["forward"].map(String.init)), member) {
            let summary = entry.summary
            values["subject"] = MailFormat.forwardSubject(summary.subject)
            values["forward_ref"] = "\(entry.mailboxID).\(entry.uid)"
            if query["attach"] == "1" {
                values["forward_attached"] = "1"
                values["body"] = "\n\n" + MailComposer.signatureBlock(signature)
                kept = [["name": (summary.subject.isEmpty ? "message" : summary.subject) + ".eml",
                         "size": MailFormat.size(entry.size, t, formatter), "whole": true]]
            } else {
                let display = MailDisplay(raw: raw)
                values["body"] = "\n\n" + MailComposer.signatureBlock(signature) + "-------- \(t.text("mail_forward_header")) --------\n"
                    + "\(t.text("mail_from")): \(summary.from)\n\(t.text("mail_date")): \(formatter.dateTime(summary.date ?? entry.internalDate))\n"
                    + "\(t.text("mail_subject")): \(summary.subject)\n\(t.text("mail_to")): \(summary.to)\n\n" + (display.text ?? "")
                values["source_ref"] = values["forward_ref"]
                kept = display.attachments.map { ["index": $0.number, "name": $0.filename, "size": MailFormat.size($0.size, t, formatter)] }
            }
        } else {
            values["body"] = signature.isEmpty ? "" : "\n\n" + MailComposer.signatureBlock(signature)
        }
        return try await form(context, values: values, kept: kept)
    }

    private func form(_ context: WebContext, values: [String: String], kept: [[String: Any]], error: String? = nil,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        let (_, folders) = try await MailRoutes.folderList(web, member, current: nil, context)
        let people = try await web.core.accounts.list(status: .active, limit: 200)
        return web.renderer.page("mail_compose", title: t.text("mail_compose_title"), section: .mail, data: [
            "folders": folders, "values": values, "kept": kept, "any_kept": !kept.isEmpty, "error": error as Any,
            "people": people.filter { $0.id != member.id }.map { ["address": web.core.mail.address(of: $0), "name": $0.displayName] },
        ], context: context, status: status)
    }

    // MARK: Sending and saving

    private func submit(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.uploadForm(request, context)
        let mail = web.core.mail
        let values = ["to", "cc", "bcc", "subject", "body", "in_reply_to", "references", "reply_ref", "forward_ref", "forward_attached",
                      "draft_ref", "source_ref", "action"].reduce(into: [String: String]()) { $0[$1] = form.text($1) }
        // Parts kept from the draft or forwarded message (`keep_N`), and the whole original for a forward as attachment.
        var attachments: [MailComposer.Attachment] = []
        if let source = try await original(Ref(values["source_ref"]), member) {
            let display = MailDisplay(raw: source.1)
            for number in form.names(withPrefix: "keep_").sorted() {
                if let part = display.part(number) {
                    attachments.append(.init(filename: part.filename, contentType: part.contentType, data: part.data))
                }
            }
        }
        if values["forward_attached"] == "1", let forwarded = try await original(Ref(values["forward_ref"]), member) {
            attachments.append(.init(filename: (forwarded.0.summary.subject.isEmpty ? "message" : forwarded.0.summary.subject) + ".eml",
                                     contentType: "message/rfc822", data: forwarded.1))
        }
        for file in form.files where file.field == "attachments" {
            attachments.append(.init(filename: file.filename, contentType: MailComposer.contentType(forFilename: file.filename),
                                     data: [UInt8](file.data)))
        }
        let letter = MailComposer.Letter(
            from: member.displayName, fromAddress: mail.address(of: member),
            to: values["to"]!, cc: values["cc"]!, bcc: values["bcc"]!, subject: values["subject"]!, body: values["body"]!,
            inReplyTo: values["in_reply_to"]!, references: values["references"]!, attachments: attachments)
        let kept = try await keptParts(values, form, member, context)
        let uploaded = form.files.contains { $0.field == "attachments" }
        do {
            return try await send(letter: letter, values: values, member: member, context: context, kept: kept, uploaded: uploaded)
        } catch let refusal as Refusal {
            let message = web.renderer.catalogue(context).text("error.\(refusal.key)", refusal.values)
            return try await refusedForm(letter: letter, values: values, kept: kept, uploaded: uploaded, member: member, context: context,
                                         error: message, status: .unprocessableContent)
        }
    }

    /// The form again after a refused send. A browser cannot be handed files back to upload again, so when the
    /// member attached files the message is saved in Drafts first and the form offers the draft's parts, kept.
    private func refusedForm(letter: MailComposer.Letter, values: [String: String], kept: [[String: Any]], uploaded: Bool,
                             member: Account, context: WebContext, error: String, status: HTTPResponse.Status) async throws -> Response {
        let mail = web.core.mail
        guard uploaded, values["action"] != "draft",
              let drafts = try? await mail.mailbox(role: .drafts, of: member) else {
            return try await form(context, values: values, kept: kept, error: error, status: status)
        }
        let raw = MailComposer.build(letter, keepBcc: true, domain: mail.domain)
        guard let (_, uid) = try? await mail.append(raw, to: drafts.id, flags: [.draft, .seen], of: member) else {
            return try await form(context, values: values, kept: kept, error: error, status: status)
        }
        try? await removeDraft(Ref(values["draft_ref"]), member)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        var values = values
        values["draft_ref"] = "\(drafts.id).\(uid)"
        values["source_ref"] = values["draft_ref"]
        values["forward_attached"] = ""  // the forwarded message is one of the draft's parts now
        let parts = MailDisplay(raw: raw).attachments.map {
            ["index": $0.number, "name": $0.filename, "size": MailFormat.size($0.size, t, formatter)] as [String: Any]
        }
        return try await form(context, values: values, kept: parts, error: error + " " + t.text("mail_attachments_kept"), status: status)
    }

    /// What the sender is told when the message is refused: a catalogue key and the values it shows.
    struct Refusal: Error {
        let key: String
        let values: [String: String]

        init(key: String, values: [String: String]) {
            self.key = key
            self.values = values
        }

        /// The one send path's refusals, in the form's words.
        init(_ error: MailSubmissionError) {
            switch error {
            case .unknownRecipient(let address), .disabledRecipient(let address), .badRecipient(let address), .relayDenied(let address):
                self.init(key: error.key, values: ["address": address])
            case .tooManyRecipients(let limit):
                self.init(key: error.key, values: ["limit": String(limit)])
            default:
                self.init(key: error.key, values: [:])
            }
        }
    }

    /// The attachments a form that comes back with an error still offers.
    private func keptParts(_ values: [String: String], _ form: FormInput, _ member: Account, _ context: WebContext) async throws -> [[String: Any]] {
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        var kept: [[String: Any]] = []
        if let source = try? await original(Ref(values["source_ref"]), member) {
            let chosen = Set(form.names(withPrefix: "keep_"))
            kept = MailDisplay(raw: source.1).attachments.filter { chosen.contains($0.number) }.map {
                ["index": $0.number, "name": $0.filename, "size": MailFormat.size($0.size, t, formatter)]
            }
        }
        if values["forward_attached"] == "1", let forwarded = try? await original(Ref(values["forward_ref"]), member) {
            kept.append(["name": (forwarded.0.summary.subject.isEmpty ? "message" : forwarded.0.summary.subject) + ".eml",
                         "size": MailFormat.size(forwarded.0.size, t, formatter), "whole": true])
        }
        return kept
    }

    private func send(letter: MailComposer.Letter, values: [String: String], member: Account, context: WebContext,
                      kept: [[String: Any]], uploaded: Bool) async throws -> Response {
        let mail = web.core.mail
        return try await web.handlingFormErrors(context) {
            if values["action"] == "draft" {
                let drafts = try await mail.mailbox(role: .drafts, of: member)
                let raw = MailComposer.build(letter, keepBcc: true, domain: mail.domain)
                let (_, uid) = try await mail.append(raw, to: drafts.id, flags: [.draft, .seen], of: member)
                try await removeDraft(Ref(values["draft_ref"]), member)
                return web.redirect("/mail/compose?draft=\(drafts.id).\(uid)", flash: Flash("mail_draft_saved"))
            }
            if let bad = letter.badAddress { throw Refusal(key: "mail_bad_address", values: ["address": bad]) }
            let recipients = letter.recipients
            guard !recipients.isEmpty else { throw Refusal(key: "mail_no_recipients", values: [:]) }
            do {
                _ = try await web.core.submission.submit(MailComposer.build(letter, keepBcc: true, domain: mail.domain), from: member, to: recipients)
            } catch let error as MailSubmissionError {
                throw Refusal(error)
            }
            if let reply = Ref(values["reply_ref"]) {
                _ = try? await mail.store(mailboxID: reply.box, uids: [reply.uid...reply.uid], flags: .answered, .add, of: member)
            }
            if let forward = Ref(values["forward_ref"]) {
                _ = try? await mail.store(mailboxID: forward.box, uids: [forward.uid...forward.uid], flags: [], keywords: ["$Forwarded"], .add, of: member)
            }
            try await removeDraft(Ref(values["draft_ref"]), member)
            let inbox = try await mail.mailbox(role: .inbox, of: member)
            return web.redirect(MailRoutes.folderPath(inbox.id), flash: Flash("mail_sent"))
        } onError: { error, message in
            try await self.refusedForm(letter: letter, values: values, kept: kept, uploaded: uploaded, member: member, context: context,
                                       error: message, status: error.httpStatus)
        }
    }

    /// The draft a send or a new save replaces leaves Drafts.
    private func removeDraft(_ ref: Ref?, _ member: Account) async throws {
        guard let ref else { return }
        let drafts = try await web.core.mail.mailbox(role: .drafts, of: member)
        guard ref.box == drafts.id else { return }
        _ = try await web.core.mail.store(mailboxID: ref.box, uids: [ref.uid...ref.uid], flags: .deleted, .add, of: member)
        _ = try await web.core.mail.expunge(mailboxID: ref.box, uids: [ref.uid...ref.uid], of: member)
    }
}
