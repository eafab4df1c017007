import Foundation
import Hummingbird
import StarconCore

/// What apps call at launch and on every refresh besides timelines: preferences, read markers, unread
/// counts, the app itself, instance metadata and discovery documents, lists of blocks and mutes, and the
/// network's directory, trends and suggestions. Features Starcon does not have (federation peers, domain
/// blocks, featured tags) answer as Mastodon answers when they are empty.
struct StartupAPIRoutes {
    let api: APISupport
    var core: Core { api.web.core }
    var publicURL: String { api.web.publicURL }

    func add(to router: Router<WebContext>) {
        router.get("/api/v1/preferences") { request, _ in
            let member = try await api.member(request, "read:accounts")
            let defaults = try await core.accounts.postingDefaults(of: member)
            return JSON.response([
                "posting:default:visibility": defaults.privacy.rawValue, "posting:default:sensitive": defaults.sensitive,
                "posting:default:language": (defaults.language ?? member.language).map { $0 as Any } ?? NSNull(),
                "reading:expand:media": "default", "reading:expand:spoilers": false,
            ])
        }
        router.get("/api/v1/markers") { request, context in
            let member = try await api.member(request, "read:statuses")
            let input = try await APIInput.read(request, context: context)
            let markers = try await core.markers.markers(of: member, timelines: Set(input.list("timeline")))
            return JSON.response(markersJSON(markers))
        }
        router.post("/api/v1/markers") { request, context in
            let member = try await api.member(request, "write:statuses")
            let input = try await APIInput.read(request, context: context)
            var positions: [String: Int64] = [:]
            for timeline in MarkerService.timelines {
                if let raw = input["\(timeline)[last_read_id]"] {
                    guard let id = Int64(raw) else { throw APIError(.unprocessableContent, "Validation failed: last_read_id is not an id") }
                    positions[timeline] = id
                }
            }
            return JSON.response(markersJSON(try await core.markers.save(positions, for: member)))
        }
        router.get("/api/v1/notifications/unread_count") { request, _ in
            let member = try await api.member(request, "read:notifications")
            return JSON.response(["count": try await core.notifications.unreadCount(for: member)])
        }
        router.get("/api/v1/apps/verify_credentials") { request, _ in
            let grant = try await OAuthRoutes.grant(request, core: core, scope: "")
            guard let appID = grant.appID, let app = try await core.oauth.app(id: appID) else { throw APIError.unauthorized }
            return JSON.response(["id": String(app.id), "name": app.name, "website": app.website.isEmpty ? NSNull() as Any : app.website as Any,
                                  "scopes": grant.scopes.values.sorted(), "redirect_uri": app.redirectURIs.joined(separator: "\n"),
                                  "redirect_uris": app.redirectURIs, "vapid_key": ""])
        }
        router.get("/api/v1/instance/rules") { _, _ in JSON.response([Any]()) }
        router.get("/api/v1/instance/peers") { _, _ in JSON.response([Any]()) }
        router.get("/api/v1/instance/domain_blocks") { _, _ in JSON.response([Any]()) }
        router.get("/api/v1/instance/activity") { request, _ in
            _ = try await api.member(request, "read")
            return JSON.response(try await core.stats.activity().map { week -> [String: Any] in
                ["week": String(week.start / 1000), "statuses": String(week.statuses), "logins": String(week.logins),
                 "registrations": String(week.registrations)]
            })
        }
        router.get("/api/v1/domain_blocks") { request, _ in
            _ = try await api.member(request, "read:blocks")
            return JSON.response([Any]())
        }
        router.get("/api/v1/featured_tags") { request, _ in
            _ = try await api.member(request, "read:accounts")
            return JSON.response([Any]())
        }
        router.get("/api/v1/featured_tags/suggestions") { request, _ in
            _ = try await api.member(request, "read:accounts")
            return JSON.response([Any]())
        }
        router.get("/api/v1/accounts/{id}/featured_tags") { request, _ in
            _ = try await api.member(request, "read:accounts")
            return JSON.response([Any]())
        }
        for (path, direction, scope) in [("mutes", RelationshipService.Direction.mutes, "read:mutes"), ("blocks", .blocks, "read:blocks")] {
            router.get(RouterPath(stringLiteral: "/api/v1/\(path)")) { request, context in
                let member = try await api.member(request, scope)
                let input = try await APIInput.read(request, context: context)
                let rows = try await core.relationships.accounts(direction, of: member.id, before: input.id("max_id"),
                                                                 limit: Int(clamping: min(max(input.id("limit") ?? 40, 1), 80)))
                return JSON.response(rows.map { api.entities.account($0.0) },
                                     headers: api.linkHeader(request, newest: rows.first?.cursor, oldest: rows.last?.cursor))
            }
        }
        router.get("/api/v1/directory") { request, context in
            let viewer = try await api.member(request, "read:accounts")
            let input = try await APIInput.read(request, context: context)
            let accounts = try await core.stats.directory(newest: input["order"] == "new", limit: Int(clamping: min(max(input.id("limit") ?? 40, 1), 80)),
                                                          offset: Int(clamping: max(input.id("offset") ?? 0, 0)))
            return JSON.response(try await core.relationships.visible(accounts, to: viewer).map { api.entities.account($0) })
        }
        router.get("/api/v2/suggestions") { request, context in
            let viewer = try await api.member(request, "read")
            let input = try await APIInput.read(request, context: context)
            let accounts = try await core.stats.suggestions(for: viewer, limit: Int(clamping: min(max(input.id("limit") ?? 40, 1), 80)))
            return JSON.response(accounts.map { ["source": "global", "sources": ["featured"], "account": api.entities.account($0)] as [String: Any] })
        }
        router.get("/api/v1/suggestions") { request, context in
            let viewer = try await api.member(request, "read")
            let input = try await APIInput.read(request, context: context)
            let accounts = try await core.stats.suggestions(for: viewer, limit: Int(clamping: min(max(input.id("limit") ?? 40, 1), 80)))
            return JSON.response(accounts.map { api.entities.account($0) })
        }
        router.get("/api/v1/trends/tags") { request, context in
            _ = try await api.member(request, "read")
            let input = try await APIInput.read(request, context: context)
            let tags = try await core.stats.trendingTags(limit: Int(clamping: min(max(input.id("limit") ?? 10, 1), 20)))
            return JSON.response(tags.map(tagJSON))
        }
        router.get("/api/v1/trends") { request, _ in
            _ = try await api.member(request, "read")
            return JSON.response(try await core.stats.trendingTags(limit: 10).map(tagJSON))
        }
        router.get("/api/v1/trends/statuses") { request, context in
            let viewer = try await api.member(request, "read")
            let input = try await APIInput.read(request, context: context)
            let ids = try await core.stats.trendingStatusIDs(limit: Int(clamping: min(max(input.id("limit") ?? 20, 1), 40)),
                                                              offset: Int(clamping: max(input.id("offset") ?? 0, 0)))
            var statuses: [JSONWriter.Raw] = []
            for id in ids { if let view = try await core.feed.view(id: id, viewer: viewer, inTimeline: true) { statuses.append(api.entities.status(view)) } }
            return JSON.response(statuses)
        }
        router.get("/api/v1/trends/links") { _, _ in JSON.response([Any]()) }
    }

    private func markersJSON(_ markers: [Marker]) -> [String: Any] {
        var json: [String: Any] = [:]
        for marker in markers {
            json[marker.timeline] = ["last_read_id": String(marker.lastReadID), "version": marker.version, "updated_at": JSON.iso8601(marker.updatedAt)]
        }
        return json
    }

    private func tagJSON(_ tag: NetworkStats.TagUse) -> [String: Any] {
        MastodonEntities.tag(tag.name, history: tag.days, following: nil, publicURL: publicURL)
    }
}

/// Discovery documents at the site's root: NodeInfo (what software this is) and the OAuth server's metadata
/// (RFC 8414), which newer apps read instead of guessing the endpoints.
struct DiscoveryRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.get("/.well-known/nodeinfo") { _, _ in
            JSON.response(["links": [["rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": "\(web.publicURL)/nodeinfo/2.0"]]])
        }
        router.get("/nodeinfo/2.0") { _, _ in
            let users = try await web.core.accounts.count(status: .active)
            let mode = try await web.core.registration.mode()
            let activity = try await web.core.stats.activity(weeks: 4)
            return JSON.response([
                "version": "2.0", "software": ["name": "starcon", "version": "0.1.0"], "protocols": [String](),
                "services": ["outbound": [String](), "inbound": [String]()],
                "usage": ["users": ["total": users, "activeMonth": activity.map(\.logins).reduce(0, +)],
                          "localPosts": activity.map(\.statuses).reduce(0, +)],
                "openRegistrations": mode == .open, "metadata": ["nodeName": web.renderer.instanceName],
            ])
        }
        router.get("/.well-known/oauth-authorization-server") { _, _ in
            let base = web.publicURL
            // RFC 8414 issuers are https; clients that read this (Mastodon.py) then refuse an http token
            // endpoint, so a server on plain http answers as Mastodon before 4.3 did and they use their defaults.
            guard base.hasPrefix("https://") else { return JSON.response(["error": "Not found"], status: .notFound) }
            return JSON.response([
                "issuer": base, "service_documentation": "https://docs.joinmastodon.org/",
                "authorization_endpoint": "\(base)/oauth/authorize", "token_endpoint": "\(base)/oauth/token",
                "revocation_endpoint": "\(base)/oauth/revoke", "app_registration_endpoint": "\(base)/api/v1/apps",
                "scopes_supported": ["read", "write", "follow", "push", "profile", "read:accounts", "read:blocks", "read:bookmarks",
                                     "read:favourites", "read:follows", "read:lists", "read:mutes", "read:notifications", "read:search",
                                     "read:statuses", "write:accounts", "write:blocks", "write:bookmarks", "write:favourites",
                                     "write:follows", "write:lists", "write:media", "write:mutes", "write:notifications", "write:statuses"],
                "response_types_supported": ["code"], "response_modes_supported": ["query", "fragment", "form_post"],
                "grant_types_supported": ["authorization_code", "password", "client_credentials"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
            ])
        }
    }
}
