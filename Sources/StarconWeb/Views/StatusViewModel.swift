import Foundation
import StarconCore

/// Template values for statuses, profiles and notifications, in the member's language. What the member may
/// do with a status is the core's answer (`StatusView.permissions`), only shown here.
struct StatusViewModel {
    let catalogue: Catalogue
    let formatter: Formatters
    /// Where action forms send the member back to.
    let returnTo: String
    /// How this page's photos load; each post takes the next place on the page.
    var photos = PhotoPolicy(member: nil, instanceDefault: nil, hints: LinkHints())
    let places = PlaceCounter()

    /// Counts the posts rendered so far, so the first screen's photos come with the page and later ones wait.
    final class PlaceCounter {
        private(set) var current = -1
        func advance() { current += 1 }
    }

    func status(_ view: StatusView, highlighted: Bool = false) -> [String: Any] {
        places.advance()
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
            // Muting the conversation is offered on the post one opened (its page), as a reader of the thread.
            "can_mute_thread": highlighted && may.bookmark, "thread_muted": view.muted,
            "has_more": may.edit || may.delete || may.report,
            "report_href": may.report ? ReportRoutes.href(.status, status.id, returnTo: returnTo) : "",
            "status_lang": status.language ?? "",
            "media": mediaValues(status, path: path),
            "media_count": status.media.count, "has_media": !status.media.isEmpty,
            "poll": status.poll.map { [poll($0, view: view)] } ?? [],
            "reactions": FeedRules.reactions.map { emoji -> [String: Any] in
                let count = status.reactions.first { $0.emoji == emoji }?.count ?? 0
                let name = catalogue.text("a11y_react_with", ["emoji": emoji])
                return ["emoji": emoji, "count": count > 0 ? formatter.number(count) : "", "mine": view.myReactions.contains(emoji),
                        "label": count > 0 ? catalogue.text("a11y_reaction_count", ["name": name, "count": formatter.number(count)]) : name,
                        "code": emoji.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: "-")]
            },
        ]
    }

    private func mediaValues(_ status: Status, path: String) -> [[String: Any]] {
        guard !status.media.isEmpty else { return [] }
        let presentation = photos.presentation(position: places.current)
        let photo = PhotoViewModel(catalogue: catalogue, formatter: formatter)
        return status.media.enumerated().map { index, media in
            var values = photo.values(media, presentation, revealHref: "\(path)?photos=show#status-\(status.id)")
            // Tapping the photo opens the viewer (a page of its own, or a dialog with script: people.js).
            values["viewer"] = PhotoRoutes.href(statusID: status.id, number: index + 1, back: returnTo)
            return values
        }
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
