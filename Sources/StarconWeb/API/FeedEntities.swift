import Foundation
import StarconCore

/// Mastodon's Status, Relationship and Notification entities.
extension MastodonEntities {
    struct Context {
        let publicURL: String
        let domain: String
        let assets: Assets
        let statusJSON: StatusJSONCache

        func account(_ account: Account, counts: AccountCounts? = nil, source: PostingDefaults? = nil) -> [String: Any] {
            var json = MastodonEntities.account(account, publicURL: publicURL, domain: domain, assets: assets, source: source)
            if let counts {
                json["statuses_count"] = counts.statuses
                json["followers_count"] = counts.followers
                json["following_count"] = counts.following
            }
            return json
        }

        /// Mastodon's Status as `view`'s viewer sees it: the shared members from the cache, then what is the
        /// viewer's own (favourited, reblogged, bookmarked, their reactions) and the reposted original.
        func status(_ view: StatusView) -> JSONWriter.Raw { status(view, adding: [:]) }

        func status(_ view: StatusView, adding extra: [String: Any]) -> JSONWriter.Raw {
            let status = view.status
            var out: [UInt8] = [UInt8(ascii: "{")]
            out += statusJSON.members(of: status, make: sharedMembers)
            // The viewer's own members, written directly: this runs for every status of every page.
            func flag(_ key: StaticString, _ value: Bool) {
                out.append(contentsOf: UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
                out.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
            }
            flag(#","favourited":"#, view.favourited)
            flag(#","bookmarked":"#, view.bookmarked)
            // On a repost, Mastodon reports whether the viewer reposted the original.
            flag(#","reblogged":"#, view.reblog.map { $0.view.reblogged } ?? view.reblogged)
            flag(#","muted":"#, view.reblog.map { $0.view.muted } ?? view.muted)
            flag(#","pinned":"#, view.pinned)
            out.append(UInt8(ascii: ","))
            JSONWriter.writeMember("poll", poll(view) ?? NSNull(), into: &out)
            if !view.filterResults.isEmpty {
                out.append(UInt8(ascii: ","))
                JSONWriter.writeMember("filtered", view.filterResults.map { result -> [String: Any] in
                    ["filter": MastodonEntities.filter(result.filter),
                     "keyword_matches": result.keywordMatches.isEmpty ? NSNull() as Any : result.keywordMatches as Any,
                     "status_matches": result.statusMatches.isEmpty ? NSNull() as Any : result.statusMatches.map { String($0) } as Any]
                }, into: &out)
            }
            out.append(contentsOf: #","reblog":"#.utf8)
            if let reblog = view.reblog { out += self.status(reblog.view).bytes } else { out.append(contentsOf: "null".utf8) }
            // Pleroma and Akkoma clients show these.
            out.append(contentsOf: #","pleroma":{"emoji_reactions":["#.utf8)
            for (index, reaction) in status.reactions.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"name":"#.utf8)
                JSONWriter.writeString(reaction.emoji, into: &out)
                out.append(contentsOf: #","count":\#(reaction.count),"me":\#(view.myReactions.contains(reaction.emoji))}"#.utf8)
            }
            out.append(contentsOf: "]}".utf8)
            for (key, value) in extra {
                out.append(UInt8(ascii: ","))
                JSONWriter.writeMember(key, value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
            return JSONWriter.Raw(bytes: out)
        }

        /// Everything in a status's JSON that is the same whoever looks, written without the braces.
        private func sharedMembers(_ status: Status) -> [UInt8] {
            let url = "\(publicURL)/@\(status.author.username)/\(status.id)"
            let json: [String: Any] = [
                "id": String(status.id), "uri": url, "url": url,
                "created_at": JSON.iso8601(status.createdAt),
                "edited_at": status.editedAt.map { JSON.iso8601($0) as Any } ?? NSNull(),
                "account": account(status.author),
                "content": status.reblogOfID == nil && !status.text.isEmpty ? StatusHTML.render(status, baseURL: publicURL) : "",
                "visibility": status.visibility.rawValue,
                "sensitive": status.sensitive || !status.spoilerText.isEmpty, "spoiler_text": status.spoilerText,
                "media_attachments": status.media.map(media), "application": NSNull(),
                "mentions": status.mentions.map { ["id": String($0.id), "username": $0.username, "acct": $0.username,
                                                   "url": "\(publicURL)/@\($0.username)"] },
                "tags": status.tags.map { ["name": $0, "url": "\(publicURL)/tags/\($0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? $0)"] },
                "emojis": [Any](), "card": NSNull(),
                "reblogs_count": status.reblogsCount, "favourites_count": status.favouritesCount, "replies_count": status.repliesCount,
                "in_reply_to_id": status.inReplyToID.map { String($0) as Any } ?? NSNull(),
                "in_reply_to_account_id": status.inReplyToAccountID.map { String($0) as Any } ?? NSNull(),
                "language": status.language.map { $0 as Any } ?? NSNull(),
            ]
            var out: [UInt8] = []
            out.reserveCapacity(2048)
            for (key, value) in json {
                if !out.isEmpty { out.append(UInt8(ascii: ",")) }
                JSONWriter.writeMember(key, value, into: &out)
            }
            return out
        }

        func media(_ media: MediaAttachment) -> [String: Any] { MastodonEntities.media(media, publicURL: publicURL) }

        /// Mastodon's Poll as `view`'s viewer sees it (their votes; counts hidden until the end if so asked).
        func poll(_ view: StatusView) -> [String: Any]? {
            guard let poll = view.status.poll else { return nil }
            let totals = poll.showsTotals(to: view.viewerID, authorID: view.status.author.id)
            return ["id": String(poll.id), "expires_at": JSON.iso8601(poll.expiresAt), "expired": poll.expired, "multiple": poll.multiple,
                    "votes_count": poll.votesCount, "voters_count": poll.votersCount,
                    "options": poll.options.map { ["title": $0.title, "votes_count": totals ? $0.votes as Any : NSNull()] },
                    "emojis": [Any](), "voted": view.pollVotes != nil || view.viewerID == view.status.author.id,
                    "own_votes": view.pollVotes ?? []]
        }

        /// Mastodon's ScheduledStatus.
        func scheduledStatus(_ scheduled: ScheduledStatus) -> [String: Any] {
            let new = scheduled.status
            let poll: Any = new.poll.map { ["options": $0.options, "expires_in": String($0.expiresIn), "multiple": $0.multiple,
                                            "hide_totals": $0.hideTotals] as [String: Any] } ?? NSNull()
            return ["id": String(scheduled.id), "scheduled_at": JSON.iso8601(scheduled.scheduledAt),
                    "media_attachments": scheduled.media.map(media),
                    "params": ["text": new.text, "poll": poll, "media_ids": new.mediaIDs.isEmpty ? NSNull() as Any : new.mediaIDs.map { String($0) } as Any,
                               "sensitive": new.sensitive ?? !new.spoilerText.isEmpty, "spoiler_text": new.spoilerText.isEmpty ? NSNull() as Any : new.spoilerText as Any,
                               "visibility": new.visibility.rawValue, "in_reply_to_id": new.inReplyToID.map { String($0) as Any } ?? NSNull(),
                               "language": new.language.map { $0 as Any } ?? NSNull(), "application_id": NSNull(), "scheduled_at": NSNull(),
                               "idempotency": NSNull(), "with_rate_limit": false] as [String: Any]]
        }

        func relationship(_ r: Relationship) -> [String: Any] {
            ["id": String(r.id), "following": r.following, "showing_reblogs": r.following, "notifying": false, "languages": NSNull(),
             "followed_by": r.followedBy, "blocking": r.blocking, "blocked_by": r.blockedBy, "muting": r.muting,
             "muting_notifications": r.muting, "requested": r.requested, "requested_by": r.requestedBy,
             "domain_blocking": false, "endorsed": r.endorsed, "note": r.note]
        }

        func notification(_ n: StarconCore.Notification, status: StatusView?) -> [String: Any] {
            var json: [String: Any] = ["id": String(n.id), "type": n.kind.rawValue, "created_at": JSON.iso8601(n.createdAt),
                                       "account": account(n.from), "status": status.map { self.status($0) as Any } ?? NSNull()]
            if let emoji = n.emoji { json["emoji"] = emoji }
            return json
        }
    }
}

extension MastodonEntities {
    /// Mastodon's MediaAttachment, the same for a status and a message: the files by content-digest URL.
    static func media(_ media: MediaAttachment, publicURL: String) -> [String: Any] {
        func url(_ version: MediaAttachment.Version) -> String { "\(publicURL)/media/\(version.file(media.digest))" }
        func meta(_ version: MediaAttachment.Version) -> [String: Any] {
            ["width": version.width, "height": version.height, "size": "\(version.width)x\(version.height)",
             "aspect": version.height == 0 ? 1.0 : Double(version.width) / Double(version.height)]
        }
        return ["id": String(media.id), "type": "image", "url": url(media.large), "preview_url": url(media.small),
                "remote_url": NSNull(), "text_url": NSNull(), "preview_remote_url": NSNull(),
                "meta": ["original": meta(media.large), "small": meta(media.small), "focus": ["x": 0.0, "y": 0.0]],
                "description": media.description.isEmpty ? NSNull() as Any : media.description as Any, "blurhash": media.blurhash]
    }
}
