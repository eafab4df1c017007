import SQLKit

/// Instance-wide settings in the `settings` table (registration mode, public URL, secrets).
public struct Settings: Sendable {
    let database: any Database

    public enum Name: String, Sendable {
        case registrationMode = "registration_mode"
        case publicURL = "public_url"
        /// The instance's domain as `serve --domain` last set it.
        case domain
        case setupTokenDigest = "setup_token_digest"
        /// Key for HMACs the web layer makes (CSRF tokens); made once, kept in the store so every node agrees.
        case formSecret = "form_secret"
        /// How photos load for members who chose nothing (`PhotoLoading`).
        case photoLoading = "photo_loading"
    }

    public func get(_ name: Name) async throws -> String? {
        try await database.read { db in try await Self.get(name, db: db) }
    }

    public func set(_ name: Name, _ value: String) async throws {
        try await database.write { db in try await Self.set(name, value, db: db) }
    }

    static func get(_ name: Name, db: any SQLDatabase) async throws -> String? {
        try await db.raw("SELECT value FROM settings WHERE name = \(bind: name.rawValue)").first()?.decode(column: "value", as: String.self)
    }

    static func set(_ name: Name, _ value: String, db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO settings (name, value) VALUES (\(bind: name.rawValue), \(bind: value))
            ON CONFLICT (name) DO UPDATE SET value = excluded.value
            """).run()
    }

    static func delete(_ name: Name, db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM settings WHERE name = \(bind: name.rawValue)").run()
    }

    /// Returns the stored value, creating it with `make` first if absent (race-safe across processes).
    public func getOrCreate(_ name: Name, make: @escaping @Sendable () -> String) async throws -> String {
        if let value = try await get(name) { return value }
        return try await database.write { db in
            try await db.raw("INSERT INTO settings (name, value) VALUES (\(bind: name.rawValue), \(bind: make())) ON CONFLICT (name) DO NOTHING").run()
            return try await Self.get(name, db: db)!
        }
    }
}
