import SQLKit

extension MailService {
    /// The entries of one mailbox that may match `filter` (a superset: see `MailSearchFilter`), in uid order,
    /// found by the store (summary columns, flags, the text index) instead of reading every message.
    public func searchCandidates(mailboxID: Int64, filter: MailSearchFilter, of account: Account) async throws -> [MailEntry] {
        let condition = filter.condition(index: searchIndex).sql
        return try await database.read { db in
            _ = try await owner(account, db: db)
            _ = try await Self.mailbox(id: mailboxID, accountID: account.id, db: db)
            return try await Self.entries(mailboxID: mailboxID, uids: nil, extra: "AND \(condition)", db: db)
        }
    }
}
