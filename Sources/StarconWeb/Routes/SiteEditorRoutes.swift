import Foundation
import Hummingbird
import StarconCore

/// Writing a site, without JavaScript: its pages and their translations (one tab per language), drafts,
/// publishing now or at a time, photos, revisions with restore, moving and deleting pages, and its editors. What is offered comes from
/// `SitePermissions`; every change is checked again by `SiteService`.
struct SiteEditorRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.get("/site-editor") { _, context in try await mine(context) }
        router.get("/site-editor/{name}") { _, context in try await dashboard(context) }
        router.post("/site-editor/{name}/pages") { request, context in try await createPage(request, context) }
        router.post("/site-editor/{name}/editors") { request, context in try await changeEditor(request, context, adding: true) }
        router.post("/site-editor/{name}/editors/remove") { request, context in try await changeEditor(request, context, adding: false) }
        router.get("/site-editor/{name}/pages/{id}") { request, context in try await editPage(request, context) }
        router.post("/site-editor/{name}/pages/{id}") { request, context in try await savePage(request, context) }
        router.post("/site-editor/{name}/pages/{id}/restore") { request, context in try await restore(request, context) }
        router.post("/site-editor/{name}/pages/{id}/move") { request, context in try await move(request, context) }
        router.get("/site-editor/{name}/pages/{id}/delete") { _, context in try await confirmDelete(context) }
        router.post("/site-editor/{name}/pages/{id}/delete") { request, context in try await delete(request, context) }
    }

    private func site(_ context: WebContext) async throws -> Site {
        guard let name = context.parameters.get("name"), let site = try await web.core.sites.site(named: name) else { throw PageError.notFound }
        return site
    }

    private func page(_ site: Site, _ context: WebContext) async throws -> SitePage {
        guard let id = context.parameters.get("id", as: Int64.self), let page = try await web.core.sites.page(of: site, id: id) else {
            throw PageError.notFound
        }
        return page
    }

    private func languageName(_ code: String) -> String {
        web.renderer.catalogues[Language(rawValue: code) ?? .fallback].text("language_name")
    }

    // MARK: One's sites

    private func mine(_ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        let sites = try await web.core.sites.sites(of: member)
        return web.renderer.page("site_editor_list", title: t.text("site_editor_title"), data: [
            "sites": sites.map { ["name": $0.name, "title": $0.title] }, "empty": sites.isEmpty,
        ], context: context)
    }

    // MARK: A site's pages and editors

    private func dashboard(_ context: WebContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let site = try await self.site(context)
        let permissions = try await web.core.sites.permissions(site, viewer: member)
        guard permissions.edit || permissions.manageEditors else { throw PageError.forbidden }
        let t = web.renderer.catalogue(context)
        let pages = try await web.core.sites.pages(of: site)
        var rows: [[String: Any]] = []
        for page in pages {
            let translations = try await web.core.sites.translations(of: page)
            rows.append([
                "id": String(page.id), "slug": page.slug.isEmpty ? "/" : "/" + page.slug,
                "kind": t.text("site_kind_\(page.kind.rawValue)"),
                "languages": translations.map { translation in
                    ["code": translation.language, "state": t.text(translation.publishAt != nil ? "site_state_scheduled"
                        : translation.isPublished ? (translation.hasUnpublishedChanges ? "site_state_changed" : "site_state_published") : "site_state_draft")]
                },
            ])
        }
        let editors = try await web.core.sites.editors(of: site)
        return web.renderer.page("site_editor", title: site.title, data: [
            "name": site.name, "site_title": site.title, "offline": !web.core.sites.isOnline(site), "can_edit": permissions.edit,
            "can_manage": permissions.manageEditors, "pages": rows, "has_pages": !rows.isEmpty, "error": error as Any,
            "parents": pages.filter { $0.kind == .page && $0.parentID == nil && !$0.slug.isEmpty }.map { ["id": String($0.id), "slug": "/" + $0.slug] },
            "editors": editors.map { ["username": $0.username, "display": $0.displayName] }, "has_editors": !editors.isEmpty,
            "owner": site.owner.username,
        ], context: context, status: status)
    }

    private func createPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)  // the CSRF check, before anything is looked up
        let site = try await self.site(context)
        return try await web.handlingFormErrors(context) {
            let kind = SitePage.Kind(rawValue: form.text("kind")) ?? .page
            let page = try await web.core.sites.createPage(actor: member, site: site, slug: form.text("slug"), kind: kind,
                                                           parentID: Int64(form.text("parent")), position: Int64(form.text("position")) ?? 0)
            let language = Site.languages.contains(context.language.rawValue) ? context.language.rawValue : "ko"
            return web.redirect("/site-editor/\(site.name)/pages/\(page.id)?lang=\(language)", flash: Flash("site_page_created"))
        } onError: { error, message in
            try await dashboard(context, error: message, status: error.httpStatus)
        }
    }

    private func changeEditor(_ request: Request, _ context: WebContext, adding: Bool) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)  // the CSRF check, before anything is looked up
        let site = try await self.site(context)
        return try await web.handlingFormErrors(context) {
            guard let editor = try await web.core.accounts.find(username: form.text("username").trimmingCharacters(in: .whitespaces)) else {
                throw CoreError.invalid("site_editor_unknown", field: "username")
            }
            if adding {
                try await web.core.sites.addEditor(actor: member, site: site, editor: editor)
            } else {
                try await web.core.sites.removeEditor(actor: member, site: site, editor: editor)
            }
            return web.redirect("/site-editor/\(site.name)", flash: Flash(adding ? "site_editor_added" : "site_editor_removed"))
        } onError: { error, message in
            try await dashboard(context, error: message, status: error.httpStatus)
        }
    }

    // MARK: A page, one language at a time

    private func editPage(_ request: Request, _ context: WebContext, error: String? = nil, draft: (String, String)? = nil,
                          status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let site = try await self.site(context)
        let page = try await self.page(site, context)
        let permissions = try await web.core.sites.permissions(site, viewer: member)
        guard permissions.edit else { throw PageError.forbidden }
        let t = web.renderer.catalogue(context)
        let language = request.uri.queryParameters.get("lang").flatMap { Site.languages.contains($0) ? $0 : nil } ?? "ko"
        let translations = try await web.core.sites.translations(of: page)
        let current = translations.first { $0.language == language }
        let formatter = web.renderer.formatter(context)
        let revisions = try await web.core.sites.revisions(of: page, language: language)
        var authors: [Int64: String] = [:]
        for id in Set(revisions.map(\.accountID)) { authors[id] = try await web.core.accounts.find(id: id)?.username ?? "?" }
        let state: String
        if let scheduled = current?.publishAt {
            state = t.text("site_scheduled_for", ["time": formatter.dateTime(scheduled)])
        } else if let current, current.isPublished {
            state = current.hasUnpublishedChanges ? t.text("site_state_changed") : t.text("site_state_published")
        } else {
            state = t.text(current == nil ? "site_state_none" : "site_state_draft")
        }
        let viewPath = "/sites/\(site.name)/\(page.slug)?lang=\(language)"
        return web.renderer.page("site_page_edit", title: t.text("site_edit_page_title", ["page": page.slug.isEmpty ? "/" : "/" + page.slug]), data: [
            "name": site.name, "id": String(page.id), "slug": page.slug.isEmpty ? "/" : "/" + page.slug, "language": language,
            "language_name": languageName(language), "error": error as Any, "state": state,
            "tabs": Site.languages.map { code in
                ["code": code, "label": languageName(code), "current": code == language,
                 "exists": translations.contains { $0.language == code }] as [String: Any]
            },
            "title_value": draft?.0 ?? current?.title ?? "", "body_value": draft?.1 ?? current?.body ?? "",
            "can_publish": permissions.publish && current != nil, "view": current?.isPublished == true ? viewPath : "",
            "schedule_value": current?.publishAt.map { ScheduledRoutes.localTime($0, in: context.timeZone) } ?? "",
            "scheduled": current?.publishAt != nil,
            "revisions": revisions.map { revision in
                [
                    "revision_id": String(revision.id), "when": formatter.dateTime(revision.createdAt), "who": authors[revision.accountID] ?? "?",
                    "action": t.text("site_revision_\(revision.action.rawValue)"), "title": revision.title,
                    "size": t.text("site_revision_size", ["count": formatter.number(revision.body.count)]), "note": revision.note,
                ] as [String: Any]
            },
            "has_revisions": !revisions.isEmpty, "published": current?.isPublished == true,
            "move_slug": page.slug, "position": String(page.position), "is_menu_page": page.kind == .page,
            "parents": try await web.core.sites.pages(of: site)
                .filter { $0.kind == .page && $0.parentID == nil && !$0.slug.isEmpty && $0.id != page.id }
                .map { ["parent_id": String($0.id), "parent_slug": "/" + $0.slug, "selected": $0.id == page.parentID] as [String: Any] },
        ], context: context, status: status)
    }

    private func savePage(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)  // the CSRF check, before anything is looked up
        let site = try await self.site(context)
        let page = try await self.page(site, context)
        let language = form.text("language")
        let (title, body) = (form.text("title"), form.text("body"))
        return try await web.handlingFormErrors(context) {
            let sites = web.core.sites
            let back = "/site-editor/\(site.name)/pages/\(page.id)?lang=\(language)"
            switch form.text("action") {
            case "photo":
                guard let photo = form.files.first(where: { $0.field == "photo" && !$0.data.isEmpty }) else {
                    throw CoreError.invalid("media_type", field: "photo")
                }
                try await sites.insertPhoto(actor: member, site: site, page: page, language: language, title: title, body: body,
                                            data: photo.data, description: form.text("photo_alt"))
                return web.redirect(back, flash: Flash("site_photo_inserted"))
            case "unpublish":
                try await sites.unpublish(actor: member, site: site, page: page, language: language)
                return web.redirect(back, flash: Flash("site_unpublished"))
            case "unschedule":
                try await sites.unschedule(actor: member, site: site, page: page, language: language)
                return web.redirect(back, flash: Flash("site_unscheduled"))
            case "publish":
                try await sites.saveDraft(actor: member, site: site, page: page, language: language, title: title, body: body)
                try await sites.publish(actor: member, site: site, page: page, language: language)
                return web.redirect(back, flash: Flash("site_published"))
            case "schedule":
                let at = try ScheduledRoutes.milliseconds(localTime: form.text("publish_at"), in: context.timeZone)
                guard at > web.core.clock.nowMilliseconds() else { throw CoreError.invalid("site_schedule_past", field: "publish_at") }
                try await sites.saveDraft(actor: member, site: site, page: page, language: language, title: title, body: body)
                try await sites.publish(actor: member, site: site, page: page, language: language, at: at)
                return web.redirect(back, flash: Flash("site_scheduled"))
            default:
                try await sites.saveDraft(actor: member, site: site, page: page, language: language, title: title, body: body)
                return web.redirect(back, flash: Flash("site_saved"))
            }
        } onError: { error, message in
            var head = request.head
            head.path = "/site-editor/\(site.name)/pages/\(page.id)?lang=\(language)"
            return try await editPage(Request(head: head, body: request.body), context, error: message, draft: (title, body), status: error.httpStatus)
        }
    }

    private func restore(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)  // the CSRF check, before anything is looked up
        let site = try await self.site(context)
        let page = try await self.page(site, context)
        guard let id = Int64(form.text("revision")) else { throw PageError.notFound }
        let restored = try await web.core.sites.restore(actor: member, site: site, page: page, revisionID: id)
        return web.redirect("/site-editor/\(site.name)/pages/\(page.id)?lang=\(restored.language)", flash: Flash("site_restored"))
    }

    // MARK: Moving and deleting

    private func move(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)  // the CSRF check, before anything is looked up
        let site = try await self.site(context)
        let page = try await self.page(site, context)
        let language = Site.languages.contains(form.text("language")) ? form.text("language") : "ko"
        return try await web.handlingFormErrors(context) {
            guard let position = Int64(form.text("position").trimmingCharacters(in: .whitespaces)) else {
                throw CoreError.invalid("site_position", field: "position")
            }
            try await web.core.sites.movePage(actor: member, site: site, page: page, slug: form.text("slug"),
                                              parentID: Int64(form.text("parent")), position: position)
            return web.redirect("/site-editor/\(site.name)/pages/\(page.id)?lang=\(language)", flash: Flash("site_page_moved"))
        } onError: { error, message in
            var head = request.head
            head.path = "/site-editor/\(site.name)/pages/\(page.id)?lang=\(language)"
            return try await editPage(Request(head: head, body: request.body), context, error: message, status: error.httpStatus)
        }
    }

    private func confirmDelete(_ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let site = try await self.site(context)
        let page = try await self.page(site, context)
        guard try await web.core.sites.permissions(site, viewer: member).edit else { throw PageError.forbidden }
        let t = web.renderer.catalogue(context)
        let translations = try await web.core.sites.translations(of: page)
        let slug = page.slug.isEmpty ? "/" : "/" + page.slug
        return web.renderer.page("site_page_delete", title: t.text("site_delete_title", ["page": slug]), data: [
            "name": site.name, "id": String(page.id), "slug": slug,
            "titles": translations.map { ["code": $0.language, "title": $0.title] },
            "children": try await web.core.sites.pages(of: site).contains { $0.parentID == page.id },
        ], context: context)
    }

    private func delete(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        _ = try await web.form(request, context)  // the CSRF check, before anything is looked up
        let site = try await self.site(context)
        let page = try await self.page(site, context)
        try await web.core.sites.deletePage(actor: member, site: site, page: page)
        return web.redirect("/site-editor/\(site.name)", flash: Flash("site_page_deleted"))
    }
}
