import Foundation
import Hummingbird
import StarconCore

/// The search page, without JavaScript: one form and a tab per kind (people, posts, tags, articles, one's
/// mail, one's messages), each a link, paged by `offset`. What is found is `SearchService`'s.
struct SearchRoutes {
    let web: WebServices

    enum Kind: String, CaseIterable { case posts, people, tags, articles, sites, mail, messages }

    func add(to router: Router<WebContext>) {
        router.get("/search") { request, context in try await page(request, context) }
    }

    private func page(_ request: Request, _ context: WebContext) async throws -> Response {
        let member = try web.member(context)
        let t = web.renderer.catalogue(context)
        let parameters = FormInput.query(request)
        let text = parameters["q"] ?? ""
        let kind = parameters["type"].flatMap { Kind(rawValue: $0) } ?? .posts
        let offset = parameters["offset"].flatMap { Int($0) } ?? 0
        let query = SearchQuery(String(text.prefix(SearchRules.maxQueryCharacters)), offset: offset)
        var values: [String: Any] = [
            "query": text, "type": kind.rawValue,
            "tabs": Kind.allCases.map { tab in
                ["href": Self.path(text, tab), "label": t.text(tab == .sites ? "site_search_tab" : "search_tab_\(tab.rawValue)"), "current": tab == kind] as [String: Any]
            },
        ]
        if let query {
            let results = try await results(kind, query, member, request, context)
            values["searched"] = true
            values["results"] = results
            values["none"] = results.isEmpty
            values["short_query"] = query.isShort && (kind == .posts || kind == .articles || kind == .sites)
            if results.count == query.limit { values["more"] = Self.path(text, kind, offset: query.offset + query.limit) }
        }
        return web.renderer.page("search", title: t.text("search_title"), section: .search, data: values, context: context)
    }

    private func results(_ kind: Kind, _ query: SearchQuery, _ member: Account, _ request: Request, _ context: WebContext) async throws -> [[String: Any]] {
        let search = web.core.search
        let formatter = web.renderer.formatter(context)
        let models = StatusViewModel(catalogue: web.renderer.catalogue(context), formatter: formatter, returnTo: FeedRoutes.path(request),
                                     photos: context.photos)
        switch kind {
        case .posts:
            return try await search.statuses(query, viewer: member).map { ["status": models.status($0)] }
        case .people:
            return try await search.accounts(query, viewer: member).map { ["person": models.author($0)] }
        case .tags:
            return try await search.hashtags(query).map { tag in
                ["link": ["href": "/tags/" + (tag.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? tag), "title": "#" + tag]]
            }
        case .articles:
            return try await search.articles(query, viewer: member).map { article in
                let group = article.newsgroups.split(separator: ",").first.map(String.init) ?? ""
                return ["link": ["href": "/newsgroups/\(group)/threads/\(article.threadID)", "title": article.subject,
                                 "meta": "\(article.authorName) · \(group) · \(formatter.dateTime(article.postedAt))", "excerpt": Self.excerpt(article.body)]]
            }
        case .sites:
            return try await search.sitePages(query, languages: [context.language.rawValue]).map { hit in
                ["link": ["href": "/sites/\(hit.siteName)/\(hit.slug)?lang=\(hit.language)", "title": hit.title, "lang": hit.language,
                          "meta": "\(hit.siteTitle) · /sites/\(hit.siteName)/\(hit.slug)", "excerpt": hit.excerpt]]
            }
        case .mail:
            return try await search.mail(query, viewer: member).map { entry in
                ["link": ["href": MailRoutes.messagePath(entry.mailboxID, entry.uid), "title": entry.summary.subject,
                          "meta": "\(entry.summary.from) · \(formatter.dateTime(entry.summary.date ?? entry.internalDate))"]]
            }
        case .messages:
            return try await search.messages(query, viewer: member).map { message in
                ["link": ["href": "/messages/\(message.conversationID)", "title": Self.excerpt(message.text),
                          "meta": "\(message.sender.displayName) · \(formatter.dateTime(message.createdAt))"]]
            }
        }
    }

    static func path(_ text: String, _ kind: Kind, offset: Int = 0) -> String {
        var components = URLComponents()
        components.path = "/search"
        components.queryItems = [URLQueryItem(name: "q", value: text), URLQueryItem(name: "type", value: kind.rawValue)]
            + (offset > 0 ? [URLQueryItem(name: "offset", value: String(offset))] : [])
        return components.string ?? "/search"
    }

    static func excerpt(_ text: String) -> String {
        let line = text.split(whereSeparator: { $0.isNewline }).joined(separator: " ")
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }
}
