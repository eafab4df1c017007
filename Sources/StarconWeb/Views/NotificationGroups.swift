import StarconCore

/// Notifications as the web page lists them: likes, reposts and reactions on one post, and follows, each
/// become one line ("민준 and 3 others liked your post") at the place of the newest of them; mentions,
/// poll ends and report outcomes stay one line each.
struct NotificationGroup {
    var newest: StarconCore.Notification
    /// Who did it, each once, most recent first.
    var people: [Account]
    var unread: Bool
    var emojis: [String]

    /// The catalogue's name for a grouped kind, nil for kinds that are never grouped.
    static func groupKey(_ kind: StarconCore.Notification.Kind) -> String? {
        switch kind {
        case .favourite: "favourite"
        case .reblog: "reblog"
        case .reaction: "reaction"
        case .follow: "follow"
        default: nil
        }
    }

    /// `list` is newest first; so are the groups.
    static func group(_ list: [StarconCore.Notification]) -> [NotificationGroup] {
        var groups: [NotificationGroup] = []
        var index: [String: Int] = [:]
        for notification in list {
            guard let kind = groupKey(notification.kind) else {
                groups.append(NotificationGroup(newest: notification, people: [notification.from], unread: !notification.read,
                                                emojis: notification.emoji.map { [$0] } ?? []))
                continue
            }
            let key = "\(kind):\(notification.statusID.map(String.init) ?? "")"
            if let at = index[key] {
                if !groups[at].people.contains(where: { $0.id == notification.from.id }) { groups[at].people.append(notification.from) }
                if let emoji = notification.emoji, !groups[at].emojis.contains(emoji) { groups[at].emojis.append(emoji) }
                groups[at].unread = groups[at].unread || !notification.read
            } else {
                index[key] = groups.count
                groups.append(NotificationGroup(newest: notification, people: [notification.from], unread: !notification.read,
                                                emojis: notification.emoji.map { [$0] } ?? []))
            }
        }
        return groups
    }
}
