import Foundation
import SQLKit

/// Photos in a page: uploaded through the media pipeline (the one posts use), kept while the page is, served
/// to everyone (`MediaService.file`), and written into the draft as Markdown that `SiteMarkdown` lets through
/// (only `/media/FILE`).
extension SiteService {
    /// Uploads `data`, ties it to `page`, and saves the draft `title`/`body` with the photo's Markdown added at
    /// the end (what the editor had typed is kept). Returns the saved translation.
    @discardableResult
    public func insertPhoto(actor: Account, site: Site, page: SitePage, language: String, title: String, body: String,
                            data: Data, description: String) async throws -> SiteTranslation {
        try await ensure(actor, may: \.edit, site)
        let language = try SiteRules.validateLanguage(language)
        let photo = try await media.upload(owner: actor, data: data, description: description)
        try await database.write { db in
            try await db.raw("INSERT INTO site_media (media_id, page_id) VALUES (\(bind: photo.id), \(bind: page.id))").run()
        }
        let markdown = Self.photoMarkdown(photo)
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await saveDraft(actor: actor, site: site, page: page, language: language, title: title,
                                   body: text.isEmpty ? markdown : text + "\n\n" + markdown)
    }

    /// `![description](/media/FILE)` of the photo's large version; the description loses what would end the
    /// Markdown's brackets.
    static func photoMarkdown(_ photo: MediaAttachment) -> String {
        let alt = photo.description.filter { !"[]()\\\n\r".contains($0) }
        return "![\(alt)](/media/\(photo.large.file(photo.digest)))"
    }
}
