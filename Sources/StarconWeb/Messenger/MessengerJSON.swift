import Foundation
import StarconCore

/// The messenger's JSON objects, the same over REST and in WebSocket frames. Ids are strings (they are
/// 64-bit, past what a JavaScript number holds exactly).
struct MessengerJSON: Sendable {
    let publicURL: String
    let assets: Assets

    func account(_ account: Account) -> [String: Any] {
        ["id": String(account.id), "username": account.username, "acct": account.username,
         "display_name": account.displayName, "kind": account.kind.rawValue,
         "avatar": publicURL + assets.url("avatar.png"), "url": "\(publicURL)/@\(account.username)"]
    }

    func message(_ message: Message) -> [String: Any] {
        ["id": String(message.id), "conversation_id": String(message.conversationID),
         "sender": account(message.sender), "text": message.text,
         "reply_to_id": message.replyToID.map { String($0) as Any } ?? NSNull(),
         "client_key": message.clientKey as Any? ?? NSNull(),
         "attachments": message.attachments.map { MastodonEntities.media($0, publicURL: publicURL) },
         "created_at": JSON.iso8601(message.createdAt),
         "edited_at": message.editedAt.map { JSON.iso8601($0) as Any } ?? NSNull(),
         "seq": String(message.seq)]
    }

    func conversation(_ view: ConversationView) -> [String: Any] {
        let c = view.conversation
        return ["id": String(c.id), "kind": c.kind.rawValue, "title": c.title,
                "members": view.members.map { member -> [String: Any] in
                    var json = account(member.account)
                    json["role"] = member.role.rawValue
                    json["last_read_id"] = String(member.lastReadID)
                    return json
                },
                "last_message": view.lastMessage.map { message($0) as Any } ?? NSNull(),
                "unread": view.unread, "muted": view.muted, "role": view.viewerRole.rawValue,
                "last_read_id": String(view.viewerReadID),
                // What this member may do here: the core's answer (`ConversationPermissions`), for clients to show.
                "permissions": ["send": view.permissions.send, "rename": view.permissions.rename,
                                "add_members": view.permissions.addMembers, "remove_members": view.permissions.removeMembers,
                                "leave": view.permissions.leave, "mute": view.permissions.mute],
                "created_at": JSON.iso8601(c.createdAt), "last_activity_at": JSON.iso8601(c.lastActivityAt)]
    }

    /// One WebSocket frame: `{"event": …, "payload": …}` as text, `event` always first, so a client may
    /// dispatch on the frame's start without parsing all of it. The payload's keys are sorted, so the same
    /// object is always the same text (a message's `id` comes before its `sender`'s).
    static func frame(_ event: String, _ payload: Any) -> String {
        guard let payload = try? JSONWriter.string(payload, sortedKeys: true) else {
            return #"{"event":"error","payload":{"error":"Internal server error"}}"#
        }
        return #"{"event":""# + event + #"","payload":"# + payload + "}"
    }
}

/// English messages for the messenger's errors in API answers.
enum MessengerAPIMessages {
    static func text(_ key: String) -> String? {
        switch key {
        case "msg_empty": "Validation failed: Text can't be blank"
        case "msg_long": "Validation failed: Text character limit of \(MessengerRules.maxTextCharacters) exceeded"
        case "msg_no_members": "Validation failed: name at least one other member"
        case "msg_unknown_member": "Validation failed: no such member"
        case "msg_group_full": "Validation failed: a group has at most \(MessengerRules.maxGroupMembers) members"
        case "msg_blocked": "You cannot message this member"
        case "msg_not_admin": "Only the group's admins may do this"
        case "msg_not_sender": "Only the sender may do this"
        case "msg_not_member": "Record not found"
        case "msg_already_member": "Already a member of this conversation"
        case "msg_title_long": "Validation failed: the title is too long"
        case "msg_client_key": "Validation failed: client_key is too long"
        case "msg_reply_target": "Validation failed: the replied-to message is not in this conversation"
        case "msg_search_long": "Validation failed: the search is too long"
        default: nil
        }
    }
}
