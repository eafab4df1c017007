extension Schema {
    /// Mail speed (numbers 84–89).
    static let mailFetchCache: [Migration] = [
        // IMAP's ENVELOPE and BODYSTRUCTURE of a message, encoded once when it is stored: a message never changes,
        // and building them on every FETCH (parsing the header or the whole MIME tree) was most of the time of
        // `FETCH 1:* (ENVELOPE FLAGS)`. NULL for messages stored before: FETCH builds those as it did.
        Migration(84, "mail: ENVELOPE and BODYSTRUCTURE stored with the message", [
            "ALTER TABLE mail_messages ADD COLUMN imap_envelope BYTEA",
            "ALTER TABLE mail_messages ADD COLUMN imap_body_structure BYTEA",
        ]),
    ]
}
