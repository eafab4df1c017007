import Foundation
import Hummingbird
import StarconCore

/// A member's own settings: profile, language, password, sessions (browsers, apps and recent sign-ins).
struct SettingsRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.get("/settings") { _, context in try await profilePage(context) }
        router.post("/settings") { request, context in try await saveProfile(request, context) }
        router.get("/settings/password") { _, context in try passwordPage(context) }
        router.post("/settings/password") { request, context in try await changePassword(request, context) }
        router.get("/settings/sessions") { _, context in try await sessionsPage(context) }
        router.post("/settings/sessions/{id}/revoke") { request, context in try await revokeSession(request, context) }
        router.post("/language") { request, context in try await switchLanguage(request, context) }
    }

    private func settingsPage(_ template: String, tab: String, _ context: WebContext, data: [String: Any],
                              status: HTTPResponse.Status = .ok) -> Response {
        let t = web.renderer.catalogue(context)
        var values = data
        values["tabs"] = Self.tabs(t, current: tab)
        return web.renderer.page(template, title: t.text("settings_title"), section: .settings, data: values,
                                 context: context, status: status)
    }

    /// The settings tabs; filters and scheduled posts have their own routes but live here.
    static func tabs(_ t: Catalogue, current: String) -> [[String: Any]] {
        [("/settings", "settings_profile", "profile"), ("/settings/filters", "filters_title", "filters"),
         ("/settings/scheduled", "scheduled_title", "scheduled"), ("/settings/password", "settings_password", "password"),
         ("/settings/security", "settings_security", "security"), ("/settings/sessions", "settings_sessions", "sessions")]
            .map { ["href": $0.0, "label": t.text($0.1), "current": $0.2 == current] }
    }

    // MARK: Profile

    private func profilePage(_ context: WebContext, values: [String: String]? = nil, error: String? = nil,
                             status: HTTPResponse.Status = .ok) async throws -> Response {
        let member = try web.member(context)
        let current = values ?? ["display_name": member.displayName, "bio": member.bio, "language": member.language ?? "",
                                 "time_zone": member.timeZone ?? ""]
        let t = web.renderer.catalogue(context)
        let languages: [[String: Any]] = [["code": "", "name": t.text("field_language_auto"), "selected": current["language"] == ""]]
            + Language.allCases.map { language in
                ["code": language.rawValue, "name": web.renderer.catalogues[language].text("language_name"),
                 "selected": current["language"] == language.rawValue]
            }
        let zones: [[String: Any]] = [["name": "", "label": t.text("field_time_zone_auto", ["zone": context.timeZone.identifier]),
                                        "selected": current["time_zone"] == ""]]
            + TimeZone.knownTimeZoneIdentifiers.sorted().map { ["name": $0, "label": $0, "selected": current["time_zone"] == $0] }
        // The four field rows, filled from what was submitted (after an error) or what is stored.
        let fieldRows: [[String: Any]] = (0..<ProfileRules.maxFields).map { index in
            let stored = index < member.fields.count ? member.fields[index] : nil
            return ["n": index + 1, "name": values?["field_name_\(index + 1)"] ?? stored?.name ?? "",
                    "value": values?["field_value_\(index + 1)"] ?? stored?.value ?? ""]
        }
        return settingsPage("settings_profile", tab: "profile", context, data: [
            "values": current, "language_options": languages, "time_zone_options": zones, "error": error as Any,
            "field_rows": fieldRows, "bot": values.map { $0["bot"] == "1" } ?? member.bot,
            "discoverable": values.map { $0["discoverable"] == "1" } ?? member.discoverable,
            "profile_avatar": member.avatarFile.map { "/media/\($0)" } ?? "", "profile_header": member.headerFile.map { "/media/\($0)" } ?? "",
            "profile": web.renderer.memberValues(member, catalogue: t),
            "datasaver": ["action": "/settings/photos", "can_set": true, "explain": t.text("datasaver_explain"),
                          "options": DataSaverRoutes.options(t, selected: member.photoLoading,
                                                             followDefault: try await web.core.settings.photoLoadingDefault() ?? .always)],
        ], status: status)
    }

    private func saveProfile(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.uploadForm(request, context)
        var values = ["display_name": form.text("display_name"), "bio": form.text("bio"), "language": form.text("language"),
                      "time_zone": form.text("time_zone"), "bot": form.text("bot"), "discoverable": form.text("discoverable")]
        for n in 1...ProfileRules.maxFields {
            values["field_name_\(n)"] = form.text("field_name_\(n)")
            values["field_value_\(n)"] = form.text("field_value_\(n)")
        }
        return try await web.handlingFormErrors(context) {
            let language = form.text("language").isEmpty ? nil : form.text("language")
            let zone = form.text("time_zone").isEmpty ? nil : form.text("time_zone")
            try AccountRules.validateTimeZone(zone)  // before anything is saved: a bad zone changes nothing
            try AccountRules.validateLanguage(language)
            var update = ProfileUpdate()
            update.displayName = form.text("display_name")
            update.bio = form.text("bio")
            update.bot = form["bot"] != nil
            update.discoverable = form["discoverable"] != nil
            update.fields = (1...ProfileRules.maxFields).map { ProfileField(name: form.text("field_name_\($0)"), value: form.text("field_value_\($0)")) }
            // Images go through the photo pipeline first: a file that is not a photo changes nothing.
            if let avatar = form.files.first(where: { $0.field == "avatar" }) { update.avatarMediaID = try await web.core.media.upload(owner: member, data: avatar.data).id }
            if let header = form.files.first(where: { $0.field == "header" }) { update.headerMediaID = try await web.core.media.upload(owner: member, data: header.data).id }
            let updated = try await web.core.accounts.updateProfile(of: member, update)
            try await web.core.accounts.setLanguage(of: updated, to: language)
            try await web.core.accounts.setTimeZone(of: member, to: zone)
            return web.redirect("/settings", flash: Flash("settings_saved"))
        } onError: { error, message in
            try await profilePage(context, values: values, error: message, status: error.httpStatus)
        }
    }

    // MARK: Password

    private func passwordPage(_ context: WebContext, error: String? = nil, status: HTTPResponse.Status = .ok) throws -> Response {
        _ = try web.member(context)
        return settingsPage("settings_password", tab: "password", context, data: ["error": error as Any], status: status)
    }

    private func changePassword(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let form = try await web.form(request, context)
        return try await web.handlingFormErrors(context) {
            guard form.text("new_password") == form.text("new_password_confirm") else {
                throw CoreError.invalid("password_mismatch", field: "new_password")
            }
            try await web.core.accounts.changePassword(
                of: member, current: form.text("current_password"), new: form.text("new_password"), keepSession: context.session?.id)
            return web.redirect("/settings/password", flash: Flash("password_changed"))
        } onError: { error, message in
            try passwordPage(context, error: message, status: error.httpStatus)
        }
    }

    // MARK: Sessions

    private func sessionsPage(_ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let sessions = try await web.core.sessions.list(for: member).map { session -> [String: Any] in
            [
                "id": String(session.id),
                "device": DeviceName.describe(session.userAgent) ?? t.text("sessions_unknown_device"),
                "address": session.address,
                "last_used": formatter.dateTime(session.lastUsedAt),
                "started": formatter.dateTime(session.createdAt),
                "current": session.id == context.session?.id,
            ]
        }
        let apps = try await web.core.oauth.authorizedApps(for: member).map { app -> [String: Any] in
            ["id": String(app.tokenID), "name": app.appName.isEmpty ? t.text("sessions_unknown_device") : app.appName,
             "last_used": formatter.dateTime(app.lastUsedAt), "started": formatter.dateTime(app.createdAt)]
        }
        let signIns = try await web.core.signIn.recent(for: member).map { record -> [String: Any] in
            let client = record.surface == .web ? (DeviceName.describe(record.client) ?? t.text("sessions_unknown_device")) : record.client
            return ["surface": t.text("signins_surface_\(record.surface.rawValue)"), "client": client,
                    "address": record.address, "at": formatter.dateTime(record.at)]
        }
        return settingsPage("settings_sessions", tab: "sessions", context, data: ["sessions": sessions, "apps": apps, "sign_ins": signIns])
    }

    private func revokeSession(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        _ = try await web.form(request, context)
        guard let id = context.parameters.get("id", as: Int64.self) else { throw PageError.notFound }
        try await web.core.sessions.revoke(id, of: member)
        if id == context.session?.id {
            var response = WebServices.redirect("/login")
            response.setCookie(web.cookies.clear(CookieName.session))
            return response
        }
        return web.redirect("/settings/sessions", flash: Flash("sessions_revoked"))
    }

    // MARK: Language

    /// Signed in: saved on the account (so every device follows). Signed out: remembered in a cookie.
    private func switchLanguage(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await web.form(request, context)
        guard let language = Language(rawValue: form.text("lang")) else { throw PageError(.badRequest, messageKey: "error.language_unknown") }
        var response = WebServices.redirect(WebServices.safeLocalPath(form["return_to"]) ?? "/")
        if let member = context.member {
            try await web.core.accounts.setLanguage(of: member, to: language.rawValue)
        }
        response.setCookie(web.cookies.make(CookieName.language, language.rawValue, maxAge: 365 * 86_400))
        return response
    }
}
