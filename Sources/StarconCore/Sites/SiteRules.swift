import Foundation
import SQLKit

/// Names, slugs, sizes and who may do what with a site.
public enum SiteRules {
    public static let maxTitle = 200
    /// A page's Markdown: big enough for a long article, small enough to keep the page light.
    public static let maxBody = 100_000
    public static let maxPages = 5_000
    public static let maxEditors = 50

    /// A site's name is its host label (`NAME.DOMAIN`), so DNS rules: 2–40 of a–z, 0–9 and inner hyphens.
    public static func validateName(_ raw: String) throws(CoreError) -> String {
        let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
        let ok = (2...40).contains(name.utf8.count) && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
            && !name.hasPrefix("-") && !name.hasSuffix("-") && !reservedNames.contains(name)
        guard ok else { throw CoreError.invalid("site_name", field: "name") }
        return name
    }

    /// Host labels the server itself may answer on.
    static let reservedNames: Set<String> = ["www", "api", "mail", "news", "static", "media", "admin"]

    /// A page's path: segments of lowercase letters (any script), digits and hyphens, joined by "/"; "" is home.
    public static func validateSlug(_ raw: String) throws(CoreError) -> String {
        let slug = raw.trimmingCharacters(in: CharacterSet(charactersIn: "/ ")).lowercased()
        if slug.isEmpty { return "" }
        let segments = slug.split(separator: "/", omittingEmptySubsequences: false)
        let ok = slug.count <= 120 && segments.count <= 4 && segments.allSatisfy { segment in
            !segment.isEmpty && segment != "edit" && segment != "feed.atom"
                && segment.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" }
        }
        guard ok else { throw CoreError.invalid("site_slug", field: "slug") }
        return slug
    }

    public static func validateLanguage(_ raw: String) throws(CoreError) -> String {
        guard Site.languages.contains(raw) else { throw CoreError.invalid("site_language", field: "language") }
        return raw
    }

    public static func validateText(title: String, body: String) throws(CoreError) -> (String, String) {
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty, title.count <= maxTitle else { throw CoreError.invalid("site_title", field: "title") }
        let body = body.replacingOccurrences(of: "\r\n", with: "\n")
        guard body.utf8.count <= maxBody else { throw CoreError.invalid("site_body", field: "body") }
        return (title, body)
    }

    /// Who may be granted a site: an active official, organisation or company account.
    public static func ensureMayOwn(_ account: Account) throws(CoreError) {
        guard Site.ownerKinds.contains(account.kind) else { throw CoreError.invalid("site_owner_kind", field: "owner") }
        guard account.status == .active, !account.emailOnly else { throw CoreError.invalid("site_owner_inactive", field: "owner") }
    }

    /// Who may grant a site: an admin, or the operator at the command line (`actor` nil).
    public static func ensureMayGrant(_ actor: Account?, now: Int64) throws(CoreError) {
        guard let actor else { return }
        try AccountService.ensureMayAct(actor, now: now)
        guard actor.role == .admin else { throw CoreError.forbidden }
    }

    /// The owner and the editors write and publish while the site is online; the owner (or an admin, or the
    /// operator) names the editors.
    public static func permissions(_ site: Site, viewer: Account?, isEditor: Bool, now: Int64) -> SitePermissions {
        guard let viewer, AccountService.mayAct(viewer, now: now) else { return .none }
        let isOwner = viewer.id == site.owner.id
        var permissions = SitePermissions()
        permissions.edit = site.isOnline(now: now) && (isOwner || isEditor)
        permissions.publish = permissions.edit
        permissions.manageEditors = isOwner || viewer.role == .admin
        return permissions
    }

    /// `Permissions.keepsPublishing` over the owner's row `a`, for queries that list sites or their pages.
    static func ownerOnline(now: Int64) -> SQLQueryString {
        "(a.status = 'active' AND (a.expires_at IS NULL OR a.expires_at > \(bind: now)))"
    }
}
