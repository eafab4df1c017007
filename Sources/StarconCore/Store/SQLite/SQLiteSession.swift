import Logging
import NIOCore
import NIOPosix
import SQLKit
import StarconSQLite

/// SQLKit's view of one SQLite connection. A statement runs inline when the caller is already on the
/// connection's thread (inside a transaction or read body, see `SQLiteDatabase`), otherwise it is handed
/// to that thread and the caller resumes with the rows.
struct SQLiteSession: SQLDatabase {
    let handle: SQLiteHandle
    let thread: SQLiteThread
    let logger: Logger

    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { SQLiteStoreDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        promise.completeWithTask { try await execute(sql: query, onRow) }
        return promise.futureResult
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let (sql, rawBinds) = serialize(query)
        let binds = try rawBinds.map(SQLiteValueEncoder.encode)
        let handle = handle
        try await thread.run { try handle.execute(sql, binds) { onRow(SQLiteRowValues(columns: $0, values: $1)) } }
    }
}
