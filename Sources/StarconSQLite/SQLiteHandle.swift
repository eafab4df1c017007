internal import CSQLite

/// Tells libsqlite3 to copy a bound value (the C macro SQLITE_TRANSIENT, which Swift cannot import).
private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One open libsqlite3 connection with a cache of prepared statements. Not thread-safe: only its
/// `SQLiteThread` touches it.
public final class SQLiteHandle: @unchecked Sendable {
    private var raw: OpaquePointer?
    private var statements: [String: Prepared] = [:]
    /// Distinct statements kept prepared; the store uses a few hundred at most, so this bound only guards
    /// against a caller that builds SQL text with values in it.
    public static let statementCacheLimit = 512

    public init(path: String) throws {
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw SQLiteStoreError(code: code, message: message)
        }
        raw = handle
        sqlite3_extended_result_codes(handle, 1)
        Self.addUnicodeLower(to: handle)
    }

    /// `unicode_lower(text)`: lower case in every script (SQLite's own LOWER knows only ASCII), so SQL such
    /// as a migration that fills the search index folds `ПРИВЕТ` as Swift and PostgreSQL do.
    private static func addUnicodeLower(to handle: OpaquePointer) {
        sqlite3_create_function_v2(handle, "unicode_lower", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil, { context, _, arguments in
            guard let argument = arguments?[0], sqlite3_value_type(argument) != SQLITE_NULL,
                  let text = sqlite3_value_text(argument) else { sqlite3_result_null(context); return }
            let lowered = String(cString: text).lowercased()
            sqlite3_result_text(context, lowered, -1, transientDestructor)
        }, nil, nil, nil)
    }

    deinit { close() }

    public func close() {
        for prepared in statements.values { sqlite3_finalize(prepared.statement) }
        statements.removeAll()
        if let raw { sqlite3_close_v2(raw) }
        raw = nil
    }

    /// Prepares (or takes from the cache), binds, steps to the end and calls `onRow` for each row. Only the
    /// first statement of `sql` runs, as with sqlite-nio.
    public func execute(_ sql: String, _ binds: [SQLiteValue], onRow: (SQLiteColumnNames, [SQLiteValue]) -> Void) throws {
        let prepared = try self.prepared(sql)
        let statement = prepared.statement
        // Every parameter is bound again on the next run, so the old values are not cleared: on a statement
        // whose plan may depend on a bound value (`LIMIT ?`, `LIKE ?`), sqlite3_clear_bindings marks it
        // expired and the next step prepares it all over again, which cost a tenth of ARTICLE's CPU.
        defer { sqlite3_reset(statement) }
        guard binds.count == Int(sqlite3_bind_parameter_count(statement)) else {
            throw SQLiteStoreError(code: SQLITE_RANGE, message: "\(binds.count) values for the parameters of: \(sql.prefix(80))")
        }
        for (index, value) in binds.enumerated() {
            try check(bind(value, at: Int32(index + 1), to: statement))
        }
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw error(code) }
            let names = prepared.columns(statement)
            onRow(names, Self.values(of: statement, count: names.count))
        }
    }

    /// How many times SQLite has had to prepare a cached statement again (its SQLITE_STMTSTATUS_REPREPARE).
    public func timesPreparedAgain(_ sql: String) -> Int {
        statements[sql].map { Int(sqlite3_stmt_status($0.statement, SQLITE_STMTSTATUS_REPREPARE, 0)) } ?? 0
    }

    /// A cached statement and its column names, read the first time it returns a row (a page of statuses
    /// has 27 columns: reading their names and indexing them for every execution was a measurable cost).
    private final class Prepared {
        let statement: OpaquePointer
        private var names: SQLiteColumnNames?

        init(_ statement: OpaquePointer) { self.statement = statement }

        func columns(_ statement: OpaquePointer) -> SQLiteColumnNames {
            // A statement SQLite prepared again after a schema change may have other columns (`SELECT *`).
            if let names, names.count == Int(sqlite3_column_count(statement)) { return names }
            let fresh = SQLiteColumnNames(statement)
            names = fresh
            return fresh
        }
    }

    private func prepared(_ sql: String) throws -> Prepared {
        if let statement = statements[sql] { return statement }
        guard let raw else { throw SQLiteStoreError(code: SQLITE_MISUSE, message: "connection is closed") }
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(raw, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else { throw error(code) }
        if statements.count >= Self.statementCacheLimit {
            for old in statements.values { sqlite3_finalize(old.statement) }
            statements.removeAll()
        }
        let prepared = Prepared(statement)
        statements[sql] = prepared
        return prepared
    }

    private func bind(_ value: SQLiteValue, at index: Int32, to statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let value):
            return sqlite3_bind_int64(statement, index, value)
        case .float(let value):
            return sqlite3_bind_double(statement, index, value)
        case .text(let value):
            return sqlite3_bind_text64(statement, index, value, UInt64(value.utf8.count), transientDestructor, UInt8(SQLITE_UTF8))
        case .blob(let bytes):
            return bytes.withUnsafeBytes { bytes in
                sqlite3_bind_blob64(statement, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), UInt64(bytes.count), transientDestructor)
            }
        case .null:
            return sqlite3_bind_null(statement, index)
        }
    }

    private static func values(of statement: OpaquePointer, count: Int) -> [SQLiteValue] {
        var values: [SQLiteValue] = []
        values.reserveCapacity(count)
        for column in 0..<Int32(count) {
            switch sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER:
                values.append(.integer(sqlite3_column_int64(statement, column)))
            case SQLITE_FLOAT:
                values.append(.float(sqlite3_column_double(statement, column)))
            case SQLITE_TEXT:
                let length = Int(sqlite3_column_bytes(statement, column))
                if let text = sqlite3_column_text(statement, column) {
                    values.append(.text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self)))
                } else {
                    values.append(.text(""))
                }
            case SQLITE_BLOB:
                let length = Int(sqlite3_column_bytes(statement, column))
                if let bytes = sqlite3_column_blob(statement, column), length > 0 {
                    values.append(.blob(Array(UnsafeRawBufferPointer(start: bytes, count: length))))
                } else {
                    values.append(.blob([]))
                }
            default:
                values.append(.null)
            }
        }
        return values
    }

    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw error(code) }
    }

    private func error(_ code: Int32) -> SQLiteStoreError {
        SQLiteStoreError(code: code, message: raw.map { String(cString: sqlite3_errmsg($0)) } ?? "connection is closed")
    }
}
