import Foundation
import StarconCore

/// Template values for statuses, profiles and notifications, in the member's language. What the member may
/// do with a status is the core's answer (`StatusView.permissions`), only shown here.
struct StatusViewModel {
    let catalogue: Catalogue
    let formatter: Formatters
    /// Where action forms send the member back to.
    let returnTo: String

    func status(_ view: StatusView, highlighted: Bool = false) -> [String: Any] {
        var values = view.reblog.map { item($0.view, repostedBy: view.status.author, highlighted: highlighted) }
            ?? item(view, repostedBy: nil, highlighted: highlighted)
        // A `warn` filter folds the post behind its title (a <details>, so "show anyway" needs no script).
        if !view.filterResults.isEmpty {
            values["filtered"] = catalogue.text("filter_warned", ["title": view.filterResults.map(\.filter.title).joined(separator: ", ")])
        }
        return values
    }

    private func item(_ view: StatusView, repostedBy: Account?, highlighted: Bool) -> [String: Any] {
        let status = view.status
        let may = view.permissions
        let path = "/@\(status.author.username)/\(status.id)"
        return [
            "id": String(status.id), "path": path, "action_base": "/statuses/\(status.id)", "return_to": returnTo,
            "author": author(status.author),
            "date": formatter.relative(status.createdAt), "full_date": formatter.dateTime(status.createdAt), "iso_date": JSON.iso8601(status.createdAt),
            "edited": status.editedAt != nil,
            "content": StatusHTML.render(status),
            "spoiler": status.spoilerText,
            "visibility": status.visibility == .public ? "" : catalogue.text("feed_visibility_\(status.visibility.rawValue)"),
            "reposted_by": repostedBy.map { catalogue.text("feed_reposted_by", ["name": $0.displayName]) } ?? "",
            "reply_to": status.inReplyToID.map { "/statuses/\($0)" } ?? "",
            "replies": status.repliesCount > 0 ? formatter.number(status.repliesCount) : "",
            "favourites": status.favouritesCount > 0 ? formatter.number(status.favouritesCount) : "",
            "reblogs": status.reblogsCount > 0 ? formatter.number(status.reblogsCount) : "",
            "favourited": view.favourited, "reblogged": view.reblogged, "bookmarked": view.bookmarked,
            "can_reply": may.reply, "can_favourite": may.favourite, "can_reblog": may.repost, "can_react": may.react,
            "can_bookmark": may.bookmark, "can_edit": may.edit, "can_delete": may.delete, "highlighted": highlighted,
            "report_href": may.report ? ReportRoutes.href(.status, status.id, returnTo: returnTo) : "",
            "status_lang": status.language ?? "",
            "media": status.media.enumerated().map { index, media -> [String: Any] in
                ["small": "/media/\(media.small.file(media.digest))", "large": "/media/\(media.large.file(media.digest))",
                 "viewer": PhotoRoutes.href(statusID: status.id, number: index + 1, back: returnTo),
                 "original": "/media/\(media.original.file(media.digest))", "alt": media.description,
                 "width": media.small.width, "height": media.small.height]
            },
            "media_count": status.media.count, "has_media": !status.media.isEmpty,
            "poll": status.poll.map { [poll($0, view: view)] } ?? [],
            "reactions": FeedRules.reactions.map { emoji -> [String: Any] in
                let count = status.reactions.first { $0.emoji == emoji }?.count ?? 0
                return ["emoji": emoji, "count": count > 0 ? formatter.number(count) : "", "mine": view.myReactions.contains(emoji),
                        "code": emoji.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: "-")]
            },
        ]
    }

    /// A poll's options with their share of the votes (when the viewer may see the counts), and a form to
    /// vote when the core allows it: radio buttons for one choice, checkboxes for several.
    private func poll(_ poll: Poll, view: StatusView) -> [String: Any] {
        let totals = poll.showsTotals(to: view.viewerID, authorID: view.status.author.id)
        let mine = Set(view.pollVotes ?? [])
        return [
            "can_vote": view.permissions.vote, "multiple": poll.multiple, "show_totals": totals,
            "options": poll.options.enumerated().map { index, option -> [String: Any] in
                let percent = poll.votesCount == 0 ? 0 : Int((Double(option.votes) * 100 / Double(poll.votesCount)).rounded())
                return ["index": index, "title": option.title, "percent": percent, "mine": mine.contains(index),
                        "name": poll.multiple ? "choice_\(index)" : "choice"]
            },
            "summary": catalogue.text("poll_voters", ["count": formatter.number(poll.votersCount)]),
            "state": poll.expired ? catalogue.text("poll_ended") : catalogue.text("poll_ends", ["date": formatter.dateTime(poll.expiresAt)]),
        ]
    }

    func author(_ account: Account) -> [String: Any] {
        ["display_name": account.displayName, "username": account.username, "path": "/@\(account.username)",
         "initial": String(account.displayName.first ?? "?"),
         // `false`, not absent: Mustache would otherwise take an outer `avatar_url` (a profile's own picture).
         "avatar_url": account.avatarFile.map { "/media/\($0)" as Any } ?? false,
         "badge": account.kind == .person ? "" : catalogue.text("kind_\(account.kind.rawValue)"), "kind": account.kind.rawValue]
    }

    static let photoSlots = (1...MediaAttachment.maxPerStatus).map { ["n": $0] }
    static let pollSlots = (1...PollRules.maxOptions).map { ["n": $0] }

    /// How long a poll from the web composer runs (seconds), the first one chosen.
    var pollDurations: [[String: Any]] {
        [(300, "poll_duration_5m"), (3_600, "poll_duration_1h"), (86_400, "poll_duration_1d"), (604_800, "poll_duration_7d")].enumerated().map { index, pair in
            ["seconds": pair.0, "label": catalogue.text(pair.1), "selected": index == 2]
        }
    }

    /// The composer's visibility choices, with `selected` marked.
    func visibilities(selected: Visibility) -> [[String: Any]] {
        Visibility.allCases.map { ["value": $0.rawValue, "label": catalogue.text("feed_visibility_\($0.rawValue)"), "selected": $0 == selected] }
    }
}
