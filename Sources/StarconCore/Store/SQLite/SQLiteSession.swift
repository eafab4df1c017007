import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO

/// SQLKit's view of one SQLite connection. A statement runs inline when the caller is already on the
/// connection's thread (inside a transaction or read body, see `SQLiteDatabase`), otherwise it is handed
/// to that thread and the caller resumes with the rows.
struct SQLiteSession: SQLDatabase {
    let handle: SQLiteHandle
    let thread: SQLiteThread
    let logger: Logger

    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        promise.completeWithTask { try await execute(sql: query, onRow) }
        return promise.futureResult
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let (sql, rawBinds) = serialize(query)
        let binds = try rawBinds.map(Self.encode)
        let handle = handle
        try await thread.run { try handle.execute(sql, binds) { onRow($0) } }
    }

    private static func encode(_ value: any Encodable & Sendable) throws -> SQLiteData {
        switch value {
        case let value as Int64: return .integer(Int(value))
        case let value as Int: return .integer(value)
        case let value as String: return .text(value)
        case let value as Bool: return .integer(value ? 1 : 0)
        case let value as Double: return .float(value)
        default: return try SQLiteDataEncoder().encode(value)
        }
    }
}
