import Foundation
import Hummingbird
import StarconCore

/// Sites as visitors read them: `/sites/NAME/…` (and `NAME.DOMAIN/…` through `SiteHostResponder`), the Atom
/// feed of a site's news, and the directory `/sites`. Pages are light (no script, one cached stylesheet), in the
/// visitor's language when the page has it (chosen as for the UI: the member's setting, the language cookie,
/// then `Accept-Language`; `?lang=` picks one), with `hreflang` alternates and a switcher showing which
/// translations exist. Each answer carries an ETag and is revalidated with 304.
struct SiteRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.get("/sites") { request, context in try await directory(request, context) }
        router.get("/sites/{name}") { request, context in try await serve(request, context, path: []) }
        router.get("/sites/{name}/**") { request, context in
            try await serve(request, context, path: context.parameters.getCatchAll().map(String.init))
        }
    }

    // MARK: The directory

    private func directory(_ request: Request, _ context: WebContext) async throws -> Response {
        let t = web.renderer.catalogue(context)
        let kind = request.uri.queryParameters.get("kind").flatMap(AccountKind.init(rawValue:)).flatMap { Site.ownerKinds.contains($0) ? $0 : nil }
        let language = request.uri.queryParameters.get("lang").flatMap { Site.languages.contains($0) ? $0 : nil }
        let sites = try await web.core.sites.directory(kind: kind, language: language)
        let kinds = [AccountKind.official, .organisation, .company].map { k in
            ["value": k.rawValue, "label": t.text("kind_\(k.rawValue)"), "selected": k == kind] as [String: Any]
        }
        let languages = Site.languages.map { code in
            ["value": code, "label": web.renderer.catalogues[Language(rawValue: code) ?? .fallback].text("language_name"), "selected": code == language] as [String: Any]
        }
        return web.renderer.page("sites_directory", title: t.text("site_directory_title"), data: [
            "kinds": kinds, "languages": languages, "empty": sites.isEmpty,
            "sites": sites.map { entry in
                [
                    "name": entry.site.name, "title": entry.site.title, "kind": t.text("kind_\(entry.site.owner.kind.rawValue)"),
                    "languages": entry.languages.map { web.renderer.catalogues[Language(rawValue: $0) ?? .fallback].text("language_name") }.joined(separator: " · "),
                ] as [String: Any]
            },
        ], context: context)
    }

    // MARK: A site

    private func serve(_ request: Request, _ context: WebContext, path: [String]) async throws -> Response {
        guard let rawName = context.parameters.get("name"), let name = rawName.removingPercentEncoding,
              let site = try await web.core.sites.site(named: name) else { throw PageError.notFound }
        let base = request.headers[SiteHost.field] == site.name ? "" : "/sites/\(site.name)"
        guard web.core.sites.isOnline(site) else { return offline(site, context) }
        let segments = path.compactMap { $0.removingPercentEncoding }
        if segments == ["feed.atom"] { return try await atom(site, request, base: base) }
        let slug = segments.joined(separator: "/").lowercased()
        guard let page = try await web.core.sites.page(of: site, slug: slug) else {
            if slug.isEmpty { return try await home(site, nil, [], request, context, base: base) }
            throw PageError.notFound
        }
        let translations = try await web.core.sites.translations(of: page).filter(\.isPublished)
        guard !translations.isEmpty else { throw PageError.notFound }
        return try await home(site, page, translations, request, context, base: base)
    }

    /// The language to show: `?lang=` if the page has it, else the visitor's UI language if it has it, else the
    /// page's first language in the switcher's order.
    static func choose(_ available: [String], requested: String?, visitor: Language) -> String? {
        if let requested, available.contains(requested) { return requested }
        if available.contains(visitor.rawValue) { return visitor.rawValue }
        return Site.languages.first { available.contains($0) }
    }

    private func home(_ site: Site, _ page: SitePage?, _ translations: [SiteTranslation], _ request: Request, _ context: WebContext,
                      base: String) async throws -> Response {
        let t = web.renderer.catalogue(context)
        let requested = request.uri.queryParameters.get("lang").map { String($0) }
        let available = translations.map(\.language)
        let published = try await web.core.sites.menuTitles(of: site)
        let pages = try await web.core.sites.pages(of: site)
        // A home page with nothing written yet still shows the menu and the news, in the visitor's language.
        let language = Self.choose(available, requested: requested, visitor: context.language)
            ?? (requested.flatMap { Site.languages.contains($0) ? $0 : nil } ?? context.language.rawValue)
        let shown = translations.first { $0.language == language }
        let pagePath = page.map { base + "/" + $0.slug } ?? (base.isEmpty ? "/" : base + "/")
        func title(_ id: Int64) -> String? {
            let list = published[id] ?? []
            return (list.first { $0.language == language } ?? list.first)?.publishedTitle
        }
        let menuPages = pages.filter { $0.kind == .page && !$0.slug.isEmpty && title($0.id) != nil }
        let menuIDs = Set(menuPages.map(\.id))
        func entry(_ item: SitePage) -> [String: Any] {
            ["href": "\(base)/\(item.slug)", "title": title(item.id) ?? "", "current": item.id == page?.id]
        }
        let menu: [[String: Any]] = menuPages.filter { $0.parentID.map { !menuIDs.contains($0) } ?? true }.map { top in
            var item = entry(top)
            let children = menuPages.filter { $0.parentID == top.id }.map(entry)
            item["children"] = children
            item["has_children"] = !children.isEmpty
            return item
        }
        let formatter = web.renderer.formatter(context)
        var news: [[String: Any]] = []
        if page == nil || page?.slug.isEmpty == true {
            for article in try await web.core.sites.articles(of: site, limit: 10) {
                guard let pick = article.translations.first(where: { $0.language == language }) ?? article.translations.first else { continue }
                news.append(["href": "\(base)/\(article.page.slug)?lang=\(pick.language)", "title": pick.publishedTitle ?? "", "lang": pick.language,
                             "date": formatter.date(pick.publishedAt ?? 0)])
            }
        }
        let switcher: [[String: Any]] = Site.languages.map { code in
            [
                "code": code, "name": web.renderer.catalogues[Language(rawValue: code) ?? .fallback].text("language_name"),
                "href": "\(pagePath)?lang=\(code)", "available": available.contains(code), "current": code == language,
            ]
        }
        let values: [String: Any] = [
            "t": t.texts, "lang": language, "ui_lang": context.language.rawValue, "css": web.renderer.assets.url("app.css"),
            "icon": web.renderer.assets.url("icon.svg"), "instance": web.renderer.instanceName,
            "site_title": site.title, "home": base.isEmpty ? "/" : base + "/", "feed": "\(base)/feed.atom",
            "title": shown?.publishedTitle ?? site.title, "body": shown.map { SiteMarkdown.html($0.publishedBody ?? "") } ?? "",
            "has_text": shown != nil, "article": page?.kind == .article,
            "published": shown?.publishedAt.map(formatter.date) ?? "",
            "alternates": available.count > 1 ? available.map { ["lang": $0, "href": "\(pagePath)?lang=\($0)"] } : [],
            "default_href": pagePath,
            "switcher": switcher, "has_switcher": !available.isEmpty, "menu": menu, "has_menu": !menu.isEmpty,
            "has_alternates": available.count > 1, "news": news, "has_news": !news.isEmpty,
            "not_in_your_language": shown != nil && language != context.language.rawValue && requested == nil,
            // On the site's own host `/report` would be the site's path: the report page is the network's.
            "report": shown != nil && page != nil
                ? web.publicURL + ReportRoutes.href(.sitePage, page!.id, returnTo: "/sites/\(site.name)/\(page!.slug)?lang=\(language)") : "",
        ]
        let html = web.renderer.library.render(Renderer.prune(values) ?? values, withTemplate: "site_page") ?? ""
        return Self.cached(html, contentType: "text/html; charset=utf-8", request: request)
    }

    private func offline(_ site: Site, _ context: WebContext) -> Response {
        let t = web.renderer.catalogue(context)
        return web.renderer.page("site_offline", title: site.title, data: ["site_title": site.title, "notice": t.text("site_offline_notice")],
                                 context: context, status: .forbidden)
    }

    // MARK: Atom

    private func atom(_ site: Site, _ request: Request, base: String) async throws -> Response {
        let articles = try await web.core.sites.articles(of: site, limit: 30)
        let root = web.publicURL + "/sites/\(site.name)"
        let iso = ISO8601DateFormatter()
        func date(_ ms: Int64?) -> String { iso.string(from: Date(timeIntervalSince1970: Double(ms ?? site.createdAt) / 1000)) }
        var entries = ""
        var updated = site.createdAt
        for article in articles {
            for translation in article.translations {
                updated = max(updated, translation.publishedAt ?? 0)
                let link = "\(root)/\(article.page.slug)?lang=\(translation.language)"
                entries += """
                <entry xml:lang="\(translation.language)">
                <id>\(Self.xml(link))</id>
                <title>\(Self.xml(translation.publishedTitle ?? ""))</title>
                <updated>\(date(translation.publishedAt))</updated>
                <link rel="alternate" type="text/html" hreflang="\(translation.language)" href="\(Self.xml(link))"/>
                <content type="html">\(Self.xml(SiteMarkdown.html(translation.publishedBody ?? "")))</content>
                </entry>

                """
            }
        }
        let feed = """
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom">
        <id>\(Self.xml(root + "/feed.atom"))</id>
        <title>\(Self.xml(site.title))</title>
        <updated>\(date(updated))</updated>
        <author><name>\(Self.xml(site.owner.displayName))</name></author>
        <link rel="self" href="\(Self.xml(root + "/feed.atom"))"/>
        <link rel="alternate" type="text/html" href="\(Self.xml(root + "/"))"/>
        \(entries)</feed>

        """
        return Self.cached(feed, contentType: "application/atom+xml; charset=utf-8", request: request)
    }

    static func xml(_ text: String) -> String { SiteMarkdown.escape(text) }

    // MARK: Caching

    /// The answer with its ETag (a digest of the bytes) and a short public lifetime; 304 when the client has it.
    static func cached(_ body: String, contentType: String, request: Request) -> Response {
        // FNV-1a over the bytes: the same on every node, cheap beside rendering.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let etag = "\"\(String(hash, radix: 16))-\(body.utf8.count)\""
        var headers: HTTPFields = [.contentType: contentType, .eTag: etag, .cacheControl: "public, max-age=60",
                                   .vary: "Accept-Language, Cookie"]
        let match = request.headers[values: .ifNoneMatch].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.map { $0.hasPrefix("W/") ? String($0.dropFirst(2)) : $0 }
        if match.contains(etag) || match.contains("*") {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
