import Foundation
import Hummingbird
import StarconCore

/// `POST /api/v1/reports` as Mastodon 4.2 defines it: `account_id`, `status_ids[]`, `comment`, `category`
/// (Mastodon's `spam`, `legal`, `violation`, `other`, or one of ours); answers with the Report entity.
struct ReportAPIRoutes {
    let api: APISupport
    var core: Core { api.web.core }

    func add(to router: Router<WebContext>) {
        router.post("/api/v1/reports") { request, context in
            let reporter = try await api.member(request, "write:reports")
            let input = try await APIInput.read(request, context: context)
            guard let accountID = input.id("account_id") else {
                throw APIError(.unprocessableContent, "Validation failed: account_id is missing")
            }
            var statusIDs: [Int64] = []
            for raw in input.list("status_ids") {
                guard let id = Int64(raw) else { throw APIError(.unprocessableContent, "Validation failed: status_ids are not statuses") }
                statusIDs.append(id)
            }
            let categoryName = input.text("category").isEmpty ? "other" : input.text("category")
            guard let category = ReportCategory(mastodon: categoryName) else {
                throw APIError(.unprocessableContent, "Validation failed: category is not one of spam, legal, violation, other")
            }
            let report = try await core.reports.file(reporter: reporter, .init(kind: .account, targetID: accountID, statusIDs: statusIDs,
                                                                               category: category, comment: input.text("comment")))
            return JSON.response(entity(report))
        }
    }

    /// Mastodon's Report entity.
    func entity(_ report: Report) -> [String: Any] {
        var json: [String: Any] = [
            "id": String(report.id),
            "action_taken": report.state == .resolved && report.outcome != .dismiss,
            "action_taken_at": report.resolvedAt.map { JSON.iso8601($0) as Any } ?? NSNull(),
            "category": report.category.mastodon,
            "comment": report.comment,
            "forwarded": false,
            "created_at": JSON.iso8601(report.createdAt),
            "status_ids": report.statusIDs.isEmpty ? NSNull() as Any : report.statusIDs.map { String($0) } as Any,
            "rule_ids": NSNull(),
        ]
        if let account = report.account { json["target_account"] = api.entities.account(account) }
        return json
    }
}
