import Foundation
import Hummingbird
import StarconCore

/// Administration: how people join, members (roles, kinds, suspensions), invitations, approvals, audit log.
/// Every action is authorised again in the core; these checks only decide what to show.
struct AdminRoutes {
    let web: WebServices
    static let pageSize = 50

    func add(to router: Router<WebContext>) {
        router.get("/admin") { _, context in try await overview(context) }
        router.post("/admin/registration") { request, context in try await setMode(request, context) }
        router.get("/admin/members") { request, context in try await members(request, context) }
        router.post("/admin/members/{id}") { request, context in try await updateMember(request, context) }
        router.post("/admin/members/{id}/suspend") { request, context in try await suspend(request, context, suspended: true) }
        router.post("/admin/members/{id}/unsuspend") { request, context in try await suspend(request, context, suspended: false) }
        router.post("/admin/members/{id}/lock") { request, context in try await lock(request, context) }
        router.post("/admin/members/{id}/reset-link") { request, context in try await resetLink(request, context) }
        router.post("/admin/members/{id}/expiry") { request, context in try await setExpiry(request, context) }
        router.post("/admin/members/{id}/unlimit") { request, context in try await unlimit(request, context) }
        router.get("/admin/invitations") { _, context in try await invitations(context) }
        router.post("/admin/invitations") { request, context in try await createInvitation(request, context) }
        router.post("/admin/invitations/{id}/revoke") { request, context in try await revokeInvitation(request, context) }
        router.get("/admin/approvals") { _, context in try await approvals(context) }
        router.post("/admin/approvals/{id}") { request, context in try await decide(request, context) }
        router.get("/admin/audit") { request, context in try await audit(request, context) }
    }

    func adminPage(_ template: String, tab: String, _ context: WebContext, data: [String: Any],
                           status: HTTPResponse.Status = .ok) throws -> Response {
        let member = try web.staff(context)
        let t = web.renderer.catalogue(context)
        var tabs = [("/admin", "admin_overview", "overview"), ("/admin/members", "admin_members", "members"),
                    ("/admin/invitations", "admin_invitations", "invitations")]
        tabs.append(("/admin/reports", "report_admin_tab", "reports"))
        if Permissions.instance(member).approveRegistrations { tabs.append(("/admin/approvals", "admin_approvals", "approvals")) }
        if member.role == .admin { tabs.append(("/admin/sites", "site_admin_tab", "sites")) }
        tabs.append(("/admin/audit", "admin_audit", "audit"))
        tabs.append(("/admin/dashboard", "dashboard_tab", "dashboard"))
        if Permissions.instance(member).announce { tabs.append(("/admin/announcements", "announce_tab", "announcements")) }
        var values = data
        values["tabs"] = tabs.map { ["href": $0.0, "label": t.text($0.1), "current": $0.2 == tab] }
        return web.renderer.page(template, title: t.text("admin_title"), section: .admin, data: values,
                                 context: context, status: status)
    }

    private func id(_ context: WebContext) throws -> Int64 {
        guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
        return id
    }

    // MARK: Overview

    private func overview(_ context: WebContext) async throws -> Response {
        let member = try web.staff(context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let mode = try await web.core.registration.mode()
        let active = try await web.core.accounts.count(status: .active)
        let pending = try await web.core.accounts.count(status: .pending)
        return try adminPage("admin_overview", tab: "overview", context, data: [
            "can_set_mode": Permissions.instance(member).setRegistrationMode,
            "modes": RegistrationMode.allCases.map { ["value": $0.rawValue, "label": t.text("mode_\($0.rawValue)"), "selected": $0 == mode] },
            "member_count": t.plural("admin_member_count", count: active, formatter: formatter),
            "pending_count": pending > 0 ? t.plural("admin_pending_count", count: pending, formatter: formatter) : "",
            "datasaver": ["action": "/admin/photos", "can_set": Permissions.instance(member).setPhotoLoadingDefault,
                          "explain": t.text("datasaver_admin_explain"),
                          "options": DataSaverRoutes.options(t, selected: try await web.core.settings.photoLoadingDefault() ?? .always,
                                                             followDefault: nil)],
        ])
    }

    private func setMode(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.staff(context)
        let form = try await web.form(request, context)
        guard let mode = RegistrationMode(rawValue: form.text("mode")) else { throw PageError(.badRequest, messageKey: "error.invalid_input") }
        try await web.core.registration.setMode(actor: member, mode)
        return web.redirect("/admin", flash: Flash("admin_mode_saved"))
    }

    // MARK: Members

    private func members(_ request: Request, _ context: WebContext) async throws -> Response {
        let actor = try web.staff(context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let before = request.uri.queryParameters["before"].flatMap { Int64(String($0)) }
        let page = try await web.core.accounts.moderationList(actor: actor, before: before, limit: Self.pageSize)
        let rows = page.map { account, may -> [String: Any] in
            var row = web.renderer.memberValues(account, catalogue: t)
            row["status"] = account.status.rawValue
            row["status_label"] = t.text("status_\(account.status.rawValue)")
            row["suspended"] = account.status == .suspended
            row["can_suspend"] = may.suspend
            row["confirm_suspend"] = t.text("safety_confirm_suspend", ["name": account.username])
            row["can_unsuspend"] = may.unsuspend
            row["can_lock"] = actor.isAdmin && account.id != actor.id
            row["can_reset"] = Permissions.issueResetLink(account, viewer: actor)
            row["suspended_note"] = account.status == .suspended ? t.text("members_suspended_note", ["reason": account.statusReason]) : ""
            row["suspended_until"] = account.status == .suspended ? account.suspendedUntil.map { t.text("report_member_suspended_until", ["date": formatter.dateTime($0)]) } ?? "" : ""
            row["limited"] = account.limited
            row["can_unlimit"] = account.limited && Permissions.moderate(account, viewer: actor)
            row["expires"] = account.expiresAt.map { t.text("report_member_expires", ["date": formatter.dateTime($0)]) } ?? ""
            row["can_set_expiry"] = Permissions.instance(actor).approveRegistrations
            row["joined"] = formatter.date(account.createdAt)
            row["last_seen"] = account.lastSeenAt.map { formatter.dateTime($0) } ?? t.text("members_never")
            row["editable"] = may.changeKind
            row["role_editable"] = may.changeRole
            row["roles"] = Role.allCases.map { ["value": $0.rawValue, "label": t.text("role_\($0.rawValue)"), "selected": $0 == account.role] }
            row["kinds"] = AccountKind.allCases.map { ["value": $0.rawValue, "label": t.text("kind_\($0.rawValue)"), "selected": $0 == account.kind] }
            return row
        }
        let expiring = try await web.core.accounts.expiringSoon(actor: actor).map { account -> [String: Any] in
            var row = web.renderer.memberValues(account, catalogue: t)
            row["expires"] = account.expiresAt.map { formatter.dateTime($0) } ?? ""
            row["expired"] = (account.expiresAt ?? 0) <= web.core.clock.nowMilliseconds()
            row["can_set_expiry"] = Permissions.instance(actor).approveRegistrations
            return row
        }
        return try adminPage("admin_members", tab: "members", context, data: [
            "members": rows, "expiring": expiring, "any_expiring": !expiring.isEmpty,
            "older": page.count == Self.pageSize ? "/admin/members?before=\(page.last!.account.id)" : "",
        ])
    }

    private func updateMember(_ request: Request, _ context: WebContext) async throws -> Response {
        let actor = try web.admin(context)
        let form = try await web.form(request, context)
        let change = AccountService.AdminChange(role: Role(rawValue: form.text("role")), kind: AccountKind(rawValue: form.text("kind")))
        _ = try await web.core.accounts.adminUpdate(actor: actor, target: try id(context), change)
        return web.redirect("/admin/members", flash: Flash("members_updated"))
    }

    private func suspend(_ request: Request, _ context: WebContext, suspended: Bool) async throws -> Response {
        let actor = try web.staff(context)
        let form = try await web.form(request, context)
        if suspended {
            let t = web.renderer.catalogue(context)
            let name = try await web.core.accounts.find(id: try id(context))?.username ?? ""
            if let ask = web.unconfirmed(form, request, context, question: t.text("safety_confirm_suspend", ["name": name]),
                                         detail: form.text("reason"), button: t.text("members_suspend"), back: "/admin/members") { return ask }
            _ = try await web.core.accounts.suspend(actor: actor, target: try id(context), reason: form.text("reason"), days: try Self.days(form.text("days")))
        } else {
            _ = try await web.core.accounts.setSuspended(actor: actor, target: try id(context), suspended: false, reason: "")
        }
        return web.redirect("/admin/members", flash: Flash("members_updated"))
    }

    /// A number of days from a form field; empty is none.
    static func days(_ text: String) throws -> Int? {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        guard let days = Int(text) else { throw CoreError.invalid("moderation_days", field: "days") }
        return days
    }

    private func setExpiry(_ request: Request, _ context: WebContext) async throws -> Response {
        let actor = try web.admin(context)
        let form = try await web.form(request, context)
        _ = try await web.core.accounts.setExpiry(actor: actor, target: try id(context), days: try Self.days(form.text("days")))
        return web.redirect("/admin/members", flash: Flash("members_updated"))
    }

    private func unlimit(_ request: Request, _ context: WebContext) async throws -> Response {
        let actor = try web.staff(context)
        _ = try await web.form(request, context)
        try await web.core.accounts.unlimit(actor: actor, target: try id(context))
        return web.redirect("/admin/members", flash: Flash("members_updated"))
    }

    /// A hacked account: the core revokes and ends everything; the admin gets the one-time reset link to hand over.
    private func lock(_ request: Request, _ context: WebContext) async throws -> Response {
        let actor = try web.staff(context)
        let form = try await web.form(request, context)
        let (account, token) = try await web.core.locks.lock(actor: actor, target: try id(context), reason: form.text("reason"))
        let t = web.renderer.catalogue(context)
        return web.renderer.page("admin_locked", title: t.text("lock_done_title"), section: .admin, data: [
            "heading": t.text("lock_done_title"), "hint": t.text("lock_done_hint"),
            "text": t.text("lock_done_text", ["name": account.username]), "link": web.publicURL + "/reset/" + token,
        ], context: context)
    }

    /// A member forgot their password: the same one-time link, handed over by an admin; nothing else changes.
    private func resetLink(_ request: Request, _ context: WebContext) async throws -> Response {
        let actor = try web.admin(context)
        _ = try await web.form(request, context)
        let target = try id(context)
        let token = try await web.core.locks.issueResetLink(actor: actor, target: target)
        let name = try await web.core.accounts.find(id: target)?.username ?? ""
        let t = web.renderer.catalogue(context)
        return web.renderer.page("admin_locked", title: t.text("safety_reset_done_title"), section: .admin, data: [
            "heading": t.text("safety_reset_done_title"), "hint": t.text("safety_reset_done_hint"),
            "text": t.text("safety_reset_done_text", ["name": name]), "link": web.publicURL + "/reset/" + token,
        ], context: context)
    }

    // MARK: Invitations

    private func invitations(_ context: WebContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let actor = try web.staff(context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let now = web.core.clock.nowMilliseconds()
        let rows = try await web.core.invitations.list(actor: actor).map { invitation -> [String: Any] in
            let state = invitation.revoked ? t.text("invite_state_revoked")
                : (invitation.isUsable(now: now) ? "" : t.text("invite_state_expired"))
            return [
                "id": String(invitation.id),
                "link": "\(web.publicURL)/invite/\(invitation.code)",
                "used": t.plural("invite_used", count: invitation.maxUses, ["used": formatter.number(invitation.uses)], formatter: formatter),
                "expires": invitation.expiresAt.map { t.text("invite_expires", ["date": formatter.dateTime($0)]) } ?? t.text("invite_never_expires"),
                "state": state,
                "usable": invitation.isUsable(now: now),
            ]
        }
        return try adminPage("admin_invitations", tab: "invitations", context, data: [
            "invitations": rows, "error": error as Any,
        ], status: status)
    }

    private func createInvitation(_ request: Request, _ context: WebContext) async throws -> Response {
        let actor = try web.staff(context)
        let form = try await web.form(request, context)
        return try await web.handlingFormErrors(context) {
            guard let uses = Int(form.text("uses")) else { throw CoreError.invalid("invite_uses", field: "uses") }
            let daysText = form.text("expires_days")
            guard daysText.isEmpty || Int(daysText) != nil else { throw CoreError.invalid("invite_days", field: "expires_days") }
            _ = try await web.core.invitations.create(actor: actor, uses: uses, expiresInDays: Int(daysText))
            return web.redirect("/admin/invitations", flash: Flash("invite_created"))
        } onError: { error, message in
            try await invitations(context, error: message, status: error.httpStatus)
        }
    }

    private func revokeInvitation(_ request: Request, _ context: WebContext) async throws -> Response {
        let actor = try web.staff(context)
        _ = try await web.form(request, context)
        try await web.core.invitations.revoke(actor: actor, id: try id(context))
        return web.redirect("/admin/invitations", flash: Flash("invite_revoked"))
    }

    // MARK: Approvals

    private func approvals(_ context: WebContext) async throws -> Response {
        let actor = try web.admin(context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let rows = try await web.core.registration.pending(actor: actor).map { account -> [String: Any] in
            var row = web.renderer.memberValues(account, catalogue: t)
            row["note"] = account.registrationNote
            row["joined"] = formatter.dateTime(account.createdAt)
            return row
        }
        return try adminPage("admin_approvals", tab: "approvals", context, data: ["pending": rows])
    }

    private func decide(_ request: Request, _ context: WebContext) async throws -> Response {
        let actor = try web.admin(context)
        let form = try await web.form(request, context)
        let approve = form.text("decision") == "approve"
        let account = try await web.core.registration.decide(actor: actor, accountID: try id(context), approve: approve)
        return web.redirect("/admin/approvals", flash: Flash(approve ? "approvals_approved" : "approvals_rejected", ["name": account.username]))
    }

    // MARK: Audit

    private func audit(_ request: Request, _ context: WebContext) async throws -> Response {
        let actor = try web.staff(context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let query = FormInput.query(request)
        func parameter(_ name: String) -> String { query[name].map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
        let before = Int64(parameter("before"))
        // The filter: who (by username), which action (one of the core's codes), and a range of days in the
        // viewer's time zone, "to" included.
        let actorName = parameter("actor").hasPrefix("@") ? String(parameter("actor").dropFirst()) : parameter("actor")
        var filter = AuditLog.Filter()
        var notice = ""
        if !actorName.isEmpty {
            if let account = try await web.core.accounts.find(username: actorName) { filter.actorID = account.id } else {
                notice = t.text("audit_unknown_actor", ["username": actorName])
            }
        }
        if AuditActionLabel.isCode(parameter("action")) { filter.action = parameter("action") }
        filter.since = Self.dayStart(parameter("from"), in: context.timeZone, plusDays: 0)
        filter.until = Self.dayStart(parameter("to"), in: context.timeZone, plusDays: 1)
        let entries = notice.isEmpty ? try await web.core.audit.list(actor: actor, filter: filter, before: before, limit: Self.pageSize) : []
        var names: [Int64: String] = [:]
        for id in Set(entries.compactMap(\.actorID)) {
            names[id] = try await web.core.accounts.find(id: id)?.username
        }
        let rows = entries.map { entry -> [String: Any] in
            [
                "actor": entry.actorID.flatMap { names[$0] }.map { "@" + $0 } ?? t.text("audit_system"),
                "action": AuditActionLabel.text(entry.action, t), "code": entry.action, "target": entry.target,
                "detail": AuditActionLabel.detail(entry.action, entry.detail, t),
                "when": formatter.dateTime(entry.createdAt), "iso": JSON.iso8601(entry.createdAt),
            ]
        }
        let kept = ["actor", "action", "from", "to"].compactMap { name in
            parameter(name).isEmpty ? nil : "\(name)=\(parameter(name).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }
        let filtered = !kept.isEmpty
        func page(_ extra: String?) -> String { "/admin/audit?" + (kept + [extra].compactMap { $0 }).joined(separator: "&") }
        return try adminPage("admin_audit", tab: "audit", context, data: [
            "entries": rows, "has_entries": !rows.isEmpty,
            "empty_text": rows.isEmpty ? (notice.isEmpty ? t.text(filtered ? "audit_no_match" : "audit_none") : notice) : "",
            "filter": ["actor": parameter("actor"), "from": parameter("from"), "to": parameter("to")],
            "filtered": filtered,
            "actions": (AuditLog.actions + [filter.action].compactMap { $0 }.filter { !AuditLog.actions.contains($0) })
                .map { ["code": $0, "label": AuditActionLabel.text($0, t), "selected": $0 == filter.action] },
            "older": entries.count == Self.pageSize ? page("before=\(entries.last!.id)") : "",
            "newest": before != nil ? page(nil) : "",
        ])
    }

    /// Midnight of a `YYYY-MM-DD` day in `zone`, `plusDays` later, in milliseconds; nil for anything else.
    static func dayStart(_ text: String, in zone: TimeZone, plusDays: Int) -> Int64? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, text.count == 10 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard let day = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
              let start = calendar.date(byAdding: .day, value: plusDays, to: day) else { return nil }
        return Int64(start.timeIntervalSince1970 * 1000)
    }
}
