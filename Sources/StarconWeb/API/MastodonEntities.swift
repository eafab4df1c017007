import Foundation
import StarconCore

/// Mastodon API entities as JSON objects (https://docs.joinmastodon.org/entities/).
enum MastodonEntities {
    /// `source`: the member's own posting defaults, for verify_credentials and update_credentials.
    static func account(_ account: Account, publicURL: String, domain: String, assets: Assets, source: PostingDefaults? = nil) -> [String: Any] {
        let avatar = account.avatarFile.map { "\(publicURL)/media/\($0)" } ?? publicURL + assets.url("avatar.png")
        let header = account.headerFile.map { "\(publicURL)/media/\($0)" } ?? publicURL + assets.url("header.png")
        var json: [String: Any] = [
            "id": String(account.id),
            "username": account.username,
            "acct": account.username,
            "display_name": account.displayName,
            "locked": account.locked,
            "bot": account.bot,
            "discoverable": account.discoverable,
            "group": account.kind == .organisation,
            "created_at": JSON.iso8601(account.createdAt),
            "note": HTML.paragraphs(account.bio),
            "url": "\(publicURL)/@\(account.username)",
            "avatar": avatar, "avatar_static": avatar,
            "header": header, "header_static": header,
            "followers_count": 0, "following_count": 0, "statuses_count": 0,
            "last_status_at": NSNull(),
            "emojis": [Any](),
            "fields": account.fields.map { ["name": $0.name, "value": HTML.escape($0.value), "verified_at": NSNull()] as [String: Any] },
            // Starcon's own: the badge the member carries.
            "starcon_kind": account.kind.rawValue,
        ]
        // Mastodon's mark of an account a moderator limited (its posts reach only followers).
        if account.limited { json["limited"] = true }
        if let source {
            json["source"] = [
                "privacy": source.privacy.rawValue, "sensitive": source.sensitive, "language": source.language ?? account.language ?? "",
                "note": account.bio, "fields": account.fields.map { ["name": $0.name, "value": $0.value, "verified_at": NSNull()] as [String: Any] },
                "follow_requests_count": 0,
            ] as [String: Any]
        }
        return json
    }

    static func instance(version: Int, domain: String, publicURL: String, registrationMode: RegistrationMode, userCount: Int) -> [String: Any] {
        let configuration: [String: Any] = [
            "statuses": ["max_characters": 5000, "max_media_attachments": 4, "characters_reserved_per_url": 23],
            "media_attachments": ["supported_mime_types": ["image/jpeg", "image/png", "image/webp", "image/gif"],
                                  "image_size_limit": 16_777_216, "image_matrix_limit": 33_177_600],
            "accounts": ["max_featured_tags": 0, "max_pinned_statuses": FeedService.maxPins],
            "polls": ["max_options": PollRules.maxOptions, "max_characters_per_option": PollRules.maxOptionCharacters,
                      "min_expiration": PollRules.minExpiration, "max_expiration": PollRules.maxExpiration],
        ]
        let languages = ["ko", "en", "ru", "zh", "ja"]
        let description = "Starcon: a social network for a closed network."
        let streaming = publicURL.replacingOccurrences(of: "http", with: "ws", options: .anchored)
        if version == 1 {
            return [
                "uri": domain, "title": domain, "short_description": description, "description": description, "email": "",
                "version": Self.compatibleVersion, "urls": ["streaming_api": streaming],
                "stats": ["user_count": userCount, "status_count": 0, "domain_count": 1],
                "thumbnail": NSNull(), "languages": languages,
                "registrations": registrationMode != .invitation, "approval_required": registrationMode == .approval,
                "invites_enabled": true, "configuration": configuration, "contact_account": NSNull(), "rules": [Any](),
            ]
        }
        return [
            "domain": domain, "title": domain, "version": Self.compatibleVersion, "source_url": "",
            "description": description, "usage": ["users": ["active_month": userCount]],
            "thumbnail": ["url": "\(publicURL)/static/icon.svg"], "languages": languages,
            "configuration": configuration.merging(["urls": ["streaming": streaming]]) { a, _ in a },
            "registrations": ["enabled": registrationMode != .invitation, "approval_required": registrationMode == .approval, "message": NSNull()],
            "contact": ["email": "", "account": NSNull()], "rules": [Any](),
        ]
    }

    /// Clients decide which features to use from this; we implement the 4.2 client API subset.
    static let compatibleVersion = "4.2.0 (compatible; Starcon 0.1)"
}

enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Plain text as HTML paragraphs with line breaks, escaped.
    static func paragraphs(_ text: String) -> String {
        guard !text.isEmpty else { return "" }
        return text.components(separatedBy: "\n\n").map { "<p>" + escape($0).replacingOccurrences(of: "\n", with: "<br>") + "</p>" }.joined()
    }
}
