import Foundation
import SQLKit
import StarconMIME

/// The one path by which mail enters the server: a member sending (SMTP submission, web mail) with
/// `submit`, another server delivering to our members (SMTP without AUTH) with `receive`. The rules are
/// decided here once, so every surface holds the same ones and only words them its own way.
///
/// `submit` checks, in this order: the member may use mail (as stored now: suspended, pending or ended
/// accounts are refused), the message is not empty or over `MailService.maxMessageBytes`, there are 1 to
/// `maxRecipients` recipients and each is an address, the From header (and Sender, if any) is the member's own
/// address (From is added when missing), every local recipient is a member who may receive mail, and the
/// member's hourly sending limit (`RateLimit`, counted in the store, per message). Then, in ONE transaction:
/// the message (with a Received header, and Message-ID and Date when missing; Bcc removed) goes to each
/// local recipient's INBOX, a queue row for each recipient at another domain (`MailQueue`), and the message
/// as written (Bcc kept) to the sender's Sent. When `submit` returns, all of it is stored.
public struct MailSubmission: Sendable {
    let mail: MailService
    let database: any Database
    let ids: IDGenerator
    let clock: Clock
    let log: EventLog
    /// Messages a member may send per hour (`STARCON_MAIL_SEND_LIMIT`, default 200).
    public let rateLimit: RateLimit
    public static let maxRecipients = 100

    init(mail: MailService, database: any Database, ids: IDGenerator, clock: Clock, log: EventLog, sendLimit: Int? = nil) {
        self.mail = mail
        self.database = database
        self.ids = ids
        self.clock = clock
        self.log = log
        let limit = sendLimit ?? ProcessInfo.processInfo.environment["STARCON_MAIL_SEND_LIMIT"].flatMap { Int($0) } ?? 200
        self.rateLimit = RateLimit(limit: max(1, limit), windowMilliseconds: 3_600_000)
    }

    public var domain: String { mail.domain }

    /// Where a message came from, for its Received header.
    public struct Origin: Sendable {
        /// `with` in the Received header (RFC 3848): ESMTPSA, ESMTPS, ESMTP, HTTP.
        public var protocolName: String
        /// The client's EHLO name and address, when it came over SMTP.
        public var clientName: String?
        public var peer: String?

        public init(protocolName: String, clientName: String? = nil, peer: String? = nil) {
            self.protocolName = protocolName
            self.clientName = clientName
            self.peer = peer
        }

        public static let web = Origin(protocolName: "HTTP")
    }

    /// Sends `raw` from `account` to `recipients` (addresses; the envelope, Bcc included). See the type's
    /// comment for the rules. Throws `MailSubmissionError` for what is wrong with the message or its
    /// recipients, `CoreError` for the member (suspended: forbidden; over the limit: throttled).
    public func submit(_ raw: [UInt8], from account: Account, to recipients: [String]) async throws -> SubmissionReceipt {
        try await submit(raw, from: account, to: recipients, via: .web)
    }

    public func submit(_ raw: [UInt8], from account: Account, to recipients: [String], via origin: Origin) async throws -> SubmissionReceipt {
        guard !raw.isEmpty else { throw MailSubmissionError.emptyMessage }
        guard raw.count <= MailService.maxMessageBytes else { throw MailSubmissionError.tooLarge(limit: MailService.maxMessageBytes) }
        let addresses = try Self.parseRecipients(recipients)
        let now = clock.nowMilliseconds()
        let header = MailHeader(raw)
        let own = mail.address(of: account)
        for field in ["From", "Sender"] {
            guard let value = header.value(field) else { continue }
            guard let address = MailAddressText.single(inHeader: value), address.description.lowercased() == own.lowercased() else {
                throw MailSubmissionError.senderNotOwned(value)
            }
        }
        let messageID = header.value("Message-ID") ?? "<\(ids.next()).\(now)@\(domain)>"
        var added = [Self.received(origin, id: messageID, now: now)]
        if !header.has("Message-ID") { added.append("Message-ID: \(messageID)") }
        if !header.has("Date") { added.append("Date: \(MailDate.format(now))") }
        if !header.has("From") { added.append(Self.fromField(account, address: own)) }
        let written = Self.prepend(added, to: raw)
        let outgoing = Self.removingBcc(written)
        let sender = own, accountID = account.id, key = "mail:send:\(account.id)", rateLimit = self.rateLimit
        return try await log.write { db, outbox in
            _ = try await mail.owner(account, db: db)
            var local: [Int64] = [], localAddresses: [String] = [], remote: [MailAddressText] = []
            for address in addresses {
                if address.domain == domain {
                    local.append(try await Self.localRecipient(address, now: now, db: db))
                    localAddresses.append(address.description)
                } else {
                    remote.append(address)
                }
            }
            try await rateLimit.take(key, messageKey: "mail_rate_limited", db: db, now: now)
            if outgoing == written {
                // No Bcc: the recipients' copies and the sender's Sent are the same bytes, stored (and indexed) once.
                _ = try await mail.deliver(outgoing, to: local, sentBy: accountID, db: db, outbox: outbox)
            } else {
                if !local.isEmpty { _ = try await mail.deliver(outgoing, to: local, sentBy: nil, db: db, outbox: outbox) }
                _ = try await mail.deliver(written, to: [], sentBy: accountID, db: db, outbox: outbox)
            }
            try await MailQueue.enqueue(outgoing, accountID: accountID, sender: sender, recipients: remote, ids: ids, now: now, db: db)
            return SubmissionReceipt(messageID: messageID, delivered: localAddresses, queued: remote.map(\.description))
        }
    }

    /// Mail from another server (SMTP without AUTH): delivered to our members only. Throws
    /// `MailSubmissionError.relayDenied` for another domain and `.unknownRecipient` for no such member.
    public func receive(_ raw: [UInt8], envelopeSender: String?, to recipients: [String], via origin: Origin) async throws -> SubmissionReceipt {
        guard !raw.isEmpty else { throw MailSubmissionError.emptyMessage }
        guard raw.count <= MailService.maxMessageBytes else { throw MailSubmissionError.tooLarge(limit: MailService.maxMessageBytes) }
        let addresses = try Self.parseRecipients(recipients)
        for address in addresses where address.domain != domain { throw MailSubmissionError.relayDenied(address.description) }
        let now = clock.nowMilliseconds()
        let header = MailHeader(raw)
        let messageID = header.value("Message-ID") ?? "<\(ids.next()).\(now)@\(domain)>"
        var added = ["Return-Path: <\(envelopeSender ?? "")>", Self.received(origin, id: messageID, now: now)]
        if !header.has("Message-ID") { added.append("Message-ID: \(messageID)") }
        if !header.has("Date") { added.append("Date: \(MailDate.format(now))") }
        let stored = Self.prepend(added, to: raw)
        return try await log.write { db, outbox in
            var local: [Int64] = []
            for address in addresses { local.append(try await Self.localRecipient(address, now: now, db: db)) }
            _ = try await mail.deliver(stored, to: local, sentBy: nil, db: db, outbox: outbox)
            return SubmissionReceipt(messageID: messageID, delivered: addresses.map(\.description), queued: [])
        }
    }

    /// What RCPT TO answers for an address before the message arrives.
    public func verdict(for address: String) async throws -> RecipientVerdict {
        guard let parsed = MailAddressText(address) else { return .invalid }
        guard parsed.domain == domain else { return .remote }
        let now = clock.nowMilliseconds()
        return try await database.read { db in
            do {
                _ = try await Self.localRecipient(parsed, now: now, db: db)
                return .member
            } catch MailSubmissionError.disabledRecipient {
                return .disabled
            } catch MailSubmissionError.unknownRecipient {
                return .unknown
            }
        }
    }

    public enum RecipientVerdict: Sendable, Equatable {
        case member, unknown, disabled, remote, invalid
    }

    // MARK: Rules

    static func parseRecipients(_ recipients: [String]) throws(MailSubmissionError) -> [MailAddressText] {
        guard !recipients.isEmpty else { throw .noRecipients }
        guard recipients.count <= maxRecipients else { throw .tooManyRecipients(limit: maxRecipients) }
        var seen = Set<String>(), result: [MailAddressText] = []
        for text in recipients {
            guard let address = MailAddressText(text) else { throw .badRecipient(text) }
            if seen.insert(address.description.lowercased()).inserted { result.append(address) }
        }
        return result
    }

    /// The member a local address names (postmaster: the first admin), checked: may they receive mail?
    static func localRecipient(_ address: MailAddressText, now: Int64, db: any SQLDatabase) async throws -> Int64 {
        var account = try await AccountService.find(username: address.localPart, db: db)
        if account == nil, address.localPart.lowercased() == "postmaster" {
            if let row = try await db.raw("SELECT id FROM accounts WHERE role = 'admin' AND status = 'active' ORDER BY id LIMIT 1").first() {
                account = try await AccountService.find(id: try row.decode(column: "id", as: Int64.self), db: db)
            }
        }
        guard let account, account.status != .rejected else { throw MailSubmissionError.unknownRecipient(address.description) }
        guard AccountService.mayUseMail(account, now: now) else { throw MailSubmissionError.disabledRecipient(address.description) }
        return account.id
    }

    // MARK: Header fields

    /// `Received: from HELO (peer) by DOMAIN (Starcon) with PROTO id ID; DATE` (RFC 5321 §4.4).
    static func received(_ origin: Origin, id: String, now: Int64) -> String {
        var text = "Received: "
        if let client = origin.clientName { text += "from \(clean(client)) " }
        if let peer = origin.peer { text += "(\(clean(peer))) " }
        return text + "by \(hostName) (Starcon) with \(origin.protocolName) id \(clean(id).prefix(120));\r\n\t\(MailDate.format(now))"
    }

    static let hostName = ProcessInfo.processInfo.hostName

    /// No CR, LF or parentheses from a client's words inside our header.
    static func clean(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F && $0 != "(" && $0 != ")" }.map(Character.init).prefix(200))
    }

    /// The From field added to a message that has none: the member's display name and address, written by
    /// StarconMIME (atoms, a quoted string or encoded words, folded), without its final CRLF.
    static func fromField(_ account: Account, address: String) -> String {
        let at = address.lastIndex(of: "@") ?? address.endIndex
        let domain = at < address.endIndex ? String(address[address.index(after: at)...]) : nil
        let mailbox = MIMEAddress(displayName: account.displayName.isEmpty ? nil : account.displayName,
                                  localPart: String(address[..<at]), domain: domain)
        return String(MIMEHeaderWriter.structured("From", mailbox.formatted).dropLast(2))
    }

    static func prepend(_ fields: [String], to raw: [UInt8]) -> [UInt8] {
        Array(fields.map { $0 + "\r\n" }.joined().utf8) + raw
    }

    /// The message without its Bcc field (RFC 5322 §3.6.3: recipients do not see who else was sent a
    /// blind copy); the header's other bytes unchanged.
    static func removingBcc(_ raw: [UInt8]) -> [UInt8] {
        let header = MailHeader(raw)
        guard header.has("Bcc") else { return raw }
        var out: [UInt8] = [], index = 0, skipping = false
        out.reserveCapacity(raw.count)
        while index < header.size {
            var end = index
            while end < header.size && raw[end] != 0x0A { end += 1 }
            end = min(end + 1, header.size)
            let line = raw[index..<end]
            let continues = line.first == 0x20 || line.first == 0x09
            if !continues {
                skipping = line.count >= 4 && String(decoding: line.prefix(4), as: UTF8.self).lowercased() == "bcc:"
            }
            if !skipping { out.append(contentsOf: line) }
            index = end
        }
        out.append(contentsOf: raw[header.size...])
        return out
    }
}

/// What `submit` and `receive` did: the message's Message-ID, the local addresses it was stored for and the
/// addresses queued for other domains.
public struct SubmissionReceipt: Sendable, Equatable {
    public let messageID: String
    public let delivered: [String]
    public let queued: [String]
}

/// What is wrong with a message or its recipients; nothing was stored. `key` names the message in the UI
/// catalogues (`error.<key>`); SMTP gives each its reply code.
public enum MailSubmissionError: Error, Sendable, Equatable {
    /// No member of that name here (SMTP 550 5.1.1).
    case unknownRecipient(String)
    /// The member may not receive mail now (suspended, ended: 550 5.2.1).
    case disabledRecipient(String)
    /// Not an address (553 5.1.3).
    case badRecipient(String)
    case noRecipients
    case tooManyRecipients(limit: Int)
    case tooLarge(limit: Int)
    case emptyMessage
    /// The From or Sender header names someone else (553 5.7.1).
    case senderNotOwned(String)
    /// Mail from another server for another domain: never relayed (550 5.7.1).
    case relayDenied(String)

    public var key: String {
        switch self {
        case .unknownRecipient: "mail_unknown_recipient"
        case .disabledRecipient: "mail_recipient_disabled"
        case .badRecipient: "mail_bad_recipient"
        case .noRecipients: "mail_no_recipients"
        case .tooManyRecipients: "mail_too_many_recipients"
        case .tooLarge: "mail_too_large"
        case .emptyMessage: "mail_empty_message"
        case .senderNotOwned: "mail_sender_not_owned"
        case .relayDenied: "mail_relay_denied"
        }
    }
}
