import Foundation
import Hummingbird
import StarconCore

/// Mastodon's announcements: `GET /api/v1/announcements` (`with_dismissed`) and
/// `POST /api/v1/announcements/:id/dismiss`. The text is the member's language's (`AnnouncementService`);
/// the streams send the same entity as the `announcement` event (`MastodonStreaming`).
struct AnnouncementAPIRoutes {
    let api: APISupport
    var core: Core { api.web.core }

    func add(to router: Router<WebContext>) {
        router.get("/api/v1/announcements") { request, context in
            let member = try await api.member(request, "read")
            let input = try await APIInput.read(request, context: context)
            let withDismissed = input.flag("with_dismissed") ?? false
            let views = try await core.announcements.views(for: member, language: Self.language(member, request, asked: input["lang"]),
                                                           includeDismissed: withDismissed)
            return JSON.response(views.map(Self.entity))
        }
        router.post("/api/v1/announcements/{id}/dismiss") { request, context in
            let member = try await api.member(request, "write:accounts")
            try await core.announcements.dismiss(try api.id(context), by: member)
            return JSON.response([String: Any]())
        }
    }

    /// As Mastodon picks a locale: the app's `lang` parameter, else the member's language, else the app's
    /// Accept-Language, else English.
    static func language(_ member: Account, _ request: Request, asked: String?) -> String {
        asked.flatMap(Language.init(rawValue:))?.rawValue ?? member.language
            ?? Language.negotiate(request.headers[.acceptLanguage])?.rawValue ?? Language.fallback.rawValue
    }

    /// Mastodon 4.2's Announcement entity (no reactions, mentions or links: the text is plain).
    static func entity(_ view: AnnouncementView) -> [String: Any] {
        let announcement = view.announcement
        return [
            "id": String(announcement.id),
            "content": HTML.paragraphs(view.text),
            "starts_at": NSNull(), "ends_at": announcement.expiresAt.map { JSON.iso8601($0) as Any } ?? NSNull(), "all_day": false,
            "published": true,
            "published_at": JSON.iso8601(announcement.createdAt), "updated_at": JSON.iso8601(announcement.createdAt),
            "read": view.dismissed,
            "mentions": [Any](), "statuses": [Any](), "tags": [Any](), "emojis": [Any](), "reactions": [Any](),
        ]
    }
}
