import Foundation
import Hummingbird
import Mustache
import StarconCore

/// Renders pages: a body template inside the layout, with the member's language, navigation, CSRF token,
/// language switcher and announcement slot. Mustache escapes every `{{value}}`; only `{{{body}}}`, our own
/// rendered HTML, is inserted raw.
struct Renderer: Sendable {
    let library: MustacheLibrary
    let catalogues: Catalogues
    let formatters: [Language: Formatters]
    let assets: Assets
    let csrf: CSRFTokens
    let instanceName: String

    init(catalogues: Catalogues, assets: Assets, csrf: CSRFTokens, instanceName: String) async throws {
        guard let directory = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw CatalogueError("the Templates resource folder is missing from the build")
        }
        self.library = try await MustacheLibrary(directory: directory.path)
        self.catalogues = catalogues
        self.formatters = Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, Formatters(language: $0)) })
        self.assets = assets
        self.csrf = csrf
        self.instanceName = instanceName
    }

    func catalogue(_ context: WebContext) -> Catalogue { catalogues[context.language] }
    /// Dates in the viewer's language and time zone, relative times counted from now.
    func formatter(_ context: WebContext) -> Formatters {
        formatters[context.language]!.viewer(timeZone: context.timeZone, catalogue: catalogue(context))
    }

    /// Which top-level section a page belongs to, for the navigation's current item.
    enum Section: String { case feed, messages, newsgroups, mail, search, admin, settings, none }

    func page(
        _ template: String, title: String, section: Section = .none, data: [String: Any] = [:],
        context: WebContext, status: HTTPResponse.Status = .ok
    ) -> Response {
        var values = layoutValues(title: title, section: section, context: context)
        for (key, value) in data {
            if let kept = Self.prune(value) { values[key] = kept }
        }
        let body = library.render(values, withTemplate: template) ?? ""
        values["body"] = body
        let html = library.render(values, withTemplate: "layout") ?? body
        return Self.html(html, status: status)
    }

    /// Mustache treats any present value, even "" or a nil optional, as true in `{{#section}}`; page data
    /// drops those, so an empty text is simply absent (and an absent optional never prints "nil").
    static func prune(_ value: Any) -> Any? {
        switch value {
        case let text as String:
            return text.isEmpty ? nil : text
        case let dictionary as [String: String]:
            return dictionary.filter { !$0.value.isEmpty }
        case let dictionary as [String: Any]:
            return dictionary.compactMapValues(prune)
        case let array as [[String: Any]]:
            return array.map { $0.compactMapValues(prune) }
        default:
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional {
                return mirror.children.first.flatMap { prune($0.value) }
            }
            return value
        }
    }

    static func html(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            // Kept by the browser only, revalidated on every visit (ConditionalPageMiddleware answers 304).
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "private, no-cache", .eTag: PageETag.of(html)],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    private func layoutValues(title: String, section: Section, context: WebContext) -> [String: Any] {
        let catalogue = catalogue(context)
        let t = catalogue.texts
        var values: [String: Any] = [
            "t": t,
            "lang": context.language.rawValue,
            "title": title,
            "instance": instanceName,
            "css": assets.url("app.css"),
            "icon": assets.url("icon.svg"),
            "csrf": context.csrfSeed.map { csrf.token(seed: $0) } ?? "",
            "return_to": "",
            "languages": Language.allCases.map { language in
                ["code": language.rawValue, "name": catalogues[language].text("language_name"), "current": language == context.language]
            },
            "announcements": context.announcements.map(announcementValues),
            "announce_script": assets.url("announce.js"),
            "zone_script": assets.url("zone.js"),
            "photos_script": assets.url("photos.js"),
            "offline_script": assets.url("offline.js"),
            // A composer's idempotency key: a retried send of this page's form (a double tap, a resend after a
            // dropped link, the offline queue) makes one post.
            "form_key": Secrets.token(),
            // Where a dismiss form returns to. A visitor's page (the sign-in page with whatever `next` it was given)
            // never echoes its own address: their dismissal returns by the Referer (`AnnouncementRoutes`).
            "back": context.member == nil ? "/" : context.pagePath,
        ]
        if let flash = context.flash {
            values["flash"] = catalogue.text(flash.key, flash.values)
        }
        if let member = context.member {
            var me = memberValues(member, catalogue: catalogue)
            if context.unreadNotifications > 0 {
                me["unread"] = formatters[context.language]!.number(context.unreadNotifications)
                me["unread_label"] = catalogue.plural("notifications_unread", count: context.unreadNotifications, formatter: formatters[context.language]!)
            }
            me["script"] = assets.url("feed.js")  // on every page: in-place likes, live posts and bell
            me["people_script"] = assets.url("people.js")  // the photo viewer and next pages on scroll
            values["member"] = me
            values["warnings"] = context.warnings.map { warning -> [String: Any] in
                ["id": String(warning.id), "text": warning.text, "date": formatters[context.language]!.date(warning.createdAt)]
            }
            var nav: [[String: Any]] = [
                ["href": "/", "label": t["nav_feed"] ?? "", "current": section == .feed],
                ["href": "/messages", "label": t["nav_messages"] ?? "", "current": section == .messages],
                ["href": "/newsgroups", "label": t["nav_newsgroups"] ?? "", "current": section == .newsgroups],
                ["href": "/mail", "label": t["nav_mail"] ?? "", "current": section == .mail],
                ["href": "/search", "label": t["nav_search"] ?? "", "current": section == .search],
            ]
            // Mustache shows a section for any present value, even "": the count is set only when there is one.
            if context.unreadMessages > 0 {
                nav[1]["count"] = formatters[context.language]!.number(context.unreadMessages)
                nav[1]["count_label"] = catalogue.plural("messenger_unread", count: context.unreadMessages, formatter: formatters[context.language]!)
            }
            if context.unreadMail > 0 {
                nav[3]["count"] = formatters[context.language]!.number(context.unreadMail)
                nav[3]["count_label"] = catalogue.plural("mail_unread", count: context.unreadMail, formatter: formatters[context.language]!)
            }
            if Permissions.instance(member).administer {
                nav.append(["href": "/admin", "label": t["nav_admin"] ?? "", "current": section == .admin])
            }
            // An item without a count says so: Mustache would otherwise take the page's own `count` (the mail
            // search's number of results) for every item of the menu.
            for index in nav.indices where nav[index]["count"] == nil { nav[index]["count"] = false }
            values["nav"] = NavIcons.decorate(nav, t)
        }
        return values
    }

    /// One announcement for the `announcement` partial (the layout's slot and the live stream's fragments).
    func announcementValues(_ view: AnnouncementView) -> [String: Any] {
        var values: [String: Any] = ["id": String(view.announcement.id), "severity": view.announcement.severity.rawValue,
                                     "text": view.text, "lang": view.language]
        if view.announcement.severity == .alert { values["alert"] = true }
        if view.mayDismiss { values["may_dismiss"] = true }
        return values
    }

    /// The HTML of one announcement as `context`'s viewer sees it, for the live stream.
    func announcementFragment(_ view: AnnouncementView, context: WebContext) -> String {
        let values: [String: Any] = ["t": catalogue(context).texts, "csrf": context.csrfSeed.map { csrf.token(seed: $0) } ?? "",
                                     "back": context.pagePath]
        return library.render(values.merging(announcementValues(view)) { $1 }, withTemplate: "announcement") ?? ""
    }

    func memberValues(_ member: Account, catalogue: Catalogue) -> [String: Any] {
        [
            "id": String(member.id),
            "username": member.username,
            "display_name": member.displayName,
            "kind": member.kind.rawValue,
            "kind_label": catalogue.text("kind_\(member.kind.rawValue)"),
            "show_badge": member.kind != .person,
            "role_label": catalogue.text("role_\(member.role.rawValue)"),
        ]
    }

    /// The error page in the visitor's language.
    func errorPage(status: HTTPResponse.Status, messageKey: String?, values: [String: String] = [:], context: WebContext) -> Response {
        let catalogue = catalogue(context)
        let code = status.code
        let known = [403, 404].contains(code) ? code : (code >= 500 ? 500 : nil)
        let title = known.map { catalogue.text("error_\($0)_title") } ?? catalogue.text("error_title")
        var text = known.map { catalogue.text("error_\($0)_text") } ?? ""
        if let messageKey { text = catalogue.text(messageKey, values) }
        return page("error", title: title, data: ["code": code, "message": text], context: context, status: status)
    }
}

/// A one-shot notice shown on the next page (after a redirect), carried in a cookie.
struct Flash: Sendable {
    let key: String
    let values: [String: String]

    /// Cookie form: key, then optional `name=value` pairs, each base64url-encoded, joined by dots.
    var cookieValue: String {
        ([key] + values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.map(Self.encode)).joined(separator: ".")
    }

    init(_ key: String, _ values: [String: String] = [:]) {
        self.key = key
        self.values = values
    }

    init?(cookieValue: String) {
        let parts = cookieValue.split(separator: ".").map(String.init)
        guard let first = parts.first, first.allSatisfy({ $0.isLetter || $0 == "_" }) else { return nil }
        var values: [String: String] = [:]
        for part in parts.dropFirst() {
            guard let pair = Self.decode(part), let equals = pair.firstIndex(of: "=") else { return nil }
            values[String(pair[..<equals])] = String(String(pair[pair.index(after: equals)...]).prefix(200))
        }
        self.key = first
        self.values = values
    }

    private static func encode(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func decode(_ text: String) -> String? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).flatMap { String(data: $0, encoding: .utf8) }
    }
}
