import SQLKit

/// The limits of the messenger, in one place.
public enum MessengerRules {
    public static let maxTextCharacters = 10_000
    /// A group holds at most this many members, its creator included.
    public static let maxGroupMembers = 256
    public static let maxTitleCharacters = 100
    public static let maxClientKeyLength = 128
    public static let defaultPageSize = 50
    public static let maxPageSize = 200
    public static let maxSearchCharacters = 200
    /// Pictures on one message (the sender's own uploads from the photo pipeline).
    public static let maxAttachments = 4
}

public enum ConversationKind: String, Sendable {
    /// Two members; at most one per pair.
    case direct
    /// Up to `MessengerRules.maxGroupMembers` members with a title and admins.
    case group
}

public enum ConversationRole: String, Sendable {
    case admin, member
}

public struct Conversation: Sendable, Equatable {
    public let id: Int64
    public let kind: ConversationKind
    public var title: String
    public let createdAt: Int64
    public var lastActivityAt: Int64
    public var lastMessageID: Int64?
}

/// A member of a conversation, with how far they have read.
public struct ConversationMember: Sendable, Equatable {
    public let account: Account
    public let role: ConversationRole
    public let lastReadID: Int64
    public let joinedAt: Int64
}

/// One stored message. `sender` is the account as it is now.
public struct Message: Sendable, Equatable {
    public let id: Int64
    public let conversationID: Int64
    public let sender: Account
    public var text: String
    public let replyToID: Int64?
    public let clientKey: String?
    public let createdAt: Int64
    public var editedAt: Int64?
    /// Pictures, in the order the sender gave them.
    public var attachments: [MediaAttachment] = []
    /// The message's place in the event log: commit order over every node, what a client resumes by.
    public var seq: Int64 = 0
}

/// A conversation as one of its members sees it.
public struct ConversationView: Sendable {
    public let conversation: Conversation
    public let members: [ConversationMember]
    public let lastMessage: Message?
    /// Messages from others after the viewer's read mark.
    public let unread: Int
    public let muted: Bool
    public let viewerRole: ConversationRole
    public let viewerReadID: Int64
    /// What the viewer may do here (`Permissions.conversation`).
    public let permissions: ConversationPermissions
    let viewerID: Int64
    let viewerMayAct: Bool

    public var id: Int64 { conversation.id }
    public var isAdmin: Bool { viewerRole == .admin }
    /// What the viewer may do with one of its messages (`Permissions.message`).
    public func messagePermissions(_ message: Message) -> MessagePermissions {
        Permissions.message(message, viewerID: viewerID, mayAct: viewerMayAct)
    }
    /// The other members (everyone but `viewer`).
    public func others(than viewer: Int64) -> [ConversationMember] { members.filter { $0.account.id != viewer } }
}

/// A page of messages, newest first.
public struct MessagePage: Sendable {
    public let messages: [Message]
    /// There are older messages than the last one here.
    public let hasOlder: Bool
}

enum MessageRow {
    static let columns = """
        m.id AS m_id, m.conversation_id AS m_conversation_id, m.text AS m_text, m.reply_to_id AS m_reply_to_id,
        m.client_key AS m_client_key, m.created_at AS m_created_at, m.edited_at AS m_edited_at, m.seq AS m_seq,
        """ + " " + AccountRow.joinedColumns
    static let from = "messages m JOIN accounts a ON a.id = m.sender_id"

    static func decode(_ row: any SQLRow) throws -> Message {
        Message(
            id: try row.decode(column: "m_id", as: Int64.self),
            conversationID: try row.decode(column: "m_conversation_id", as: Int64.self),
            sender: try AccountRow.decode(row),
            text: try row.decode(column: "m_text", as: String.self),
            replyToID: try row.decode(column: "m_reply_to_id", as: Int64?.self),
            clientKey: try row.decode(column: "m_client_key", as: String?.self),
            createdAt: try row.decode(column: "m_created_at", as: Int64.self),
            editedAt: try row.decode(column: "m_edited_at", as: Int64?.self),
            seq: try row.decode(column: "m_seq", as: Int64?.self) ?? 0)
    }
}

enum ConversationRow {
    static let columns = "c.id AS c_id, c.kind AS c_kind, c.title AS c_title, c.created_at AS c_created_at, c.last_activity_at AS c_last_activity_at, c.last_message_id AS c_last_message_id"

    static func decode(_ row: any SQLRow) throws -> Conversation {
        Conversation(
            id: try row.decode(column: "c_id", as: Int64.self),
            kind: ConversationKind(rawValue: try row.decode(column: "c_kind", as: String.self)) ?? .group,
            title: try row.decode(column: "c_title", as: String.self),
            createdAt: try row.decode(column: "c_created_at", as: Int64.self),
            lastActivityAt: try row.decode(column: "c_last_activity_at", as: Int64.self),
            lastMessageID: try row.decode(column: "c_last_message_id", as: Int64?.self))
    }
}
