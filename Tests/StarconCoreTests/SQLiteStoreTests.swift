import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
@testable import StarconCore
import StarconSQLite
import Testing

/// The SQLite driver under the store: values round-trip through binds and rows, a transaction body runs
/// on the writer's own thread (statements inline, no hops), a failed body rolls back, and errors carry
/// SQLite's message.
@Suite("SQLite driver")
struct SQLiteStoreTests {
    private func withDatabase(_ body: (SQLiteDatabase) async throws -> Void) async throws {
        try await withDatabase { database, _ in try await body(database) }
    }

    private func withDatabase(_ body: (SQLiteDatabase, String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sqlite-driver-\(UUID().uuidString)")
        let path = directory.appendingPathComponent("test.sqlite").path
        let database = try await SQLiteDatabase.open(path: path, logger: Logger(label: "test"))
        do {
            try await body(database, path)
            await database.close()
        } catch {
            await database.close()
            throw error
        }
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func valuesRoundTrip() async throws {
        try await withDatabase { database in
            try await database.write { db in
                try await db.raw("CREATE TABLE t (i INTEGER, s TEXT, d REAL, b INTEGER, n INTEGER, blob BLOB)").run()
                let text = "김철수 Иван 王小明\u{0}tail"
                try await db.raw("""
                    INSERT INTO t VALUES (\(bind: Int64.max), \(bind: text), \(bind: 2.5), \(bind: true), \(bind: Int64?.none), \(bind: Data([0, 1, 255])))
                    """).run()
            }
            let row = try #require(try await database.read { db in try await db.raw("SELECT * FROM t").first() })
            #expect(try row.decode(column: "i", as: Int64.self) == Int64.max)
            #expect(try row.decode(column: "s", as: String.self) == "김철수 Иван 王小明\u{0}tail")
            #expect(try row.decode(column: "d", as: Double.self) == 2.5)
            #expect(try row.decode(column: "b", as: Bool.self))
            #expect(try row.decode(column: "n", as: Int64?.self) == nil)
            #expect(try row.decodeNil(column: "n"))
            #expect(try row.decode(column: "blob", as: Data.self) == Data([0, 1, 255]))
            #expect(row.allColumns == ["i", "s", "d", "b", "n", "blob"])
            #expect(throws: (any Error).self) { try row.decode(column: "missing", as: Int.self) }
        }
    }

    private enum Colour: String, Codable { case red, blue }

    /// Values that are not the store's everyday integers and text: optionals with a value, raw-value enums,
    /// bytes in each form (raw mail is stored as bytes), narrow integers; and a mismatch is an error, not a crash.
    @Test func otherValueKindsRoundTripAndMismatchesAreErrors() async throws {
        try await withDatabase { database in
            let bytes: [UInt8] = [0xFF, 0x00, 0x80, 0x0A]
            try await database.write { db in
                try await db.raw("CREATE TABLE t (e TEXT, o TEXT, u BLOB, buf BLOB, small INTEGER, f REAL)").run()
                try await db.raw("""
                    INSERT INTO t VALUES (\(bind: Colour.blue), \(bind: String?("set")), \(bind: bytes), \(bind: ByteBuffer(bytes: bytes)), \(bind: Int32(-7)), \(bind: Int64(3)))
                    """).run()
            }
            let row = try #require(try await database.read { db in try await db.raw("SELECT * FROM t").first() })
            #expect(try row.decode(column: "e", as: Colour.self) == .blue)
            #expect(try row.decode(column: "o", as: String?.self) == "set")
            #expect(try row.decode(column: "u", as: [UInt8].self) == bytes)
            #expect(try row.decode(column: "buf", as: ByteBuffer.self) == ByteBuffer(bytes: bytes))
            #expect(try row.decode(column: "small", as: Int32.self) == -7)
            #expect(try row.decode(column: "small", as: Int8?.self) == -7)
            #expect(try row.decode(column: "f", as: Double.self) == 3)
            #expect(throws: DecodingError.self) { try row.decode(column: "e", as: Int64.self) }
            #expect(throws: DecodingError.self) { try row.decode(column: "small", as: UInt8.self) }
            #expect(throws: DecodingError.self) { try row.decode(column: "o", as: Colour.self) }
        }
    }

    /// A reader busy with a long read takes no new reads while another reader is idle (NNTP GROUP used to
    /// queue behind OVER scans on one reader while three others were free).
    @Test func aReadGoesToAnIdleReaderNotBehindABusyOne() async throws {
        try await withDatabase { database in
            let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
            let busyThread = NIOLockedValueBox<ObjectIdentifier?>(nil)
            let blocker = Task {
                try await database.read { db in
                    busyThread.withLockedValue { $0 = ObjectIdentifier((db as! SQLiteSession).thread) }
                    started.signal()
                    _ = release.wait(timeout: .now() + 10)   // blocks its reader's thread, as a long scan does
                }
            }
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async { started.wait(); done.resume() }
            }
            var used: [ObjectIdentifier] = []
            for _ in 0..<(2 * SQLiteDatabase.readerCount) {
                used.append(try await database.read { db in ObjectIdentifier((db as! SQLiteSession).thread) })
            }
            release.signal()
            try await blocker.value
            let busy = try #require(busyThread.withLockedValue { $0 })
            #expect(!used.contains(busy))
            #expect(Set(used).count == SQLiteDatabase.readerCount - 1)
        }
    }

    @Test func readerLoadPicksTheLeastBusyReader() {
        let load = ReaderLoad(readers: 3)
        let first = [load.acquire(), load.acquire(), load.acquire()]
        #expect(Set(first).count == 3)
        load.release(first[1])
        #expect(load.acquire() == first[1])
        load.release(first[0])
        load.release(first[2])
        #expect(load.inFlight.sorted() == [0, 0, 1])
        let next = load.acquire()
        #expect(next != first[1] && load.inFlight[next] == 1)
    }

    @Test func aTransactionRunsOnTheWritersThreadAndRollsBackWhenItThrows() async throws {
        try await withDatabase { database in
            try await database.write { db in try await db.raw("CREATE TABLE t (x INTEGER UNIQUE)").run() }
            let onThread = try await database.write { db -> Bool in
                try await db.raw("INSERT INTO t VALUES (1)").run()
                return (db as? SQLiteSession)?.thread.isCurrent == true
            }
            #expect(onThread)
            await #expect(throws: SQLiteStoreError.self) {
                try await database.write { db in
                    try await db.raw("INSERT INTO t VALUES (2)").run()
                    try await db.raw("INSERT INTO t VALUES (1)").run()   // violates UNIQUE
                }
            }
            let values = try await database.read { db in
                try await db.raw("SELECT x FROM t ORDER BY x").all().map { try $0.decode(column: "x", as: Int.self) }
            }
            #expect(values == [1])
        }
    }

    @Test func oneStatementRepeatedUsesFreshBindsEachTime() async throws {
        try await withDatabase { database in
            try await database.write { db in
                try await db.raw("CREATE TABLE t (x INTEGER, y TEXT)").run()
                for value in 0..<50 {
                    try await db.raw("INSERT INTO t VALUES (\(bind: value), \(bind: value % 2 == 0 ? "even" : nil as String?))").run()
                }
            }
            let (count, evens) = try await database.read { db in
                let count = try await db.raw("SELECT COUNT(*) AS c FROM t").first()!.decode(column: "c", as: Int.self)
                let evens = try await db.raw("SELECT COUNT(*) AS c FROM t WHERE y = \(bind: "even")").first()!.decode(column: "c", as: Int.self)
                return (count, evens)
            }
            #expect(count == 50 && evens == 25)
        }
    }

    @Test func aStatementWithABoundLimitIsPreparedOnce() async throws {
        try await withDatabase { database in
            try await database.write { db in
                try await db.raw("CREATE TABLE t (x INTEGER)").run()
                for value in 0..<10 { try await db.raw("INSERT INTO t VALUES (\(bind: value))").run() }
            }
            let again = try await database.write { db -> Int in
                for limit in [1, 1, 1, 1, 1] {
                    let rows = try await db.raw("SELECT x FROM t ORDER BY x LIMIT \(bind: limit)").all()
                    #expect(rows.count == limit)
                }
                return (db as! SQLiteSession).handle.timesPreparedAgain("SELECT x FROM t ORDER BY x LIMIT ?1")
            }
            // SQLite prepares such a statement again when its limit moves between {0, 1} and larger values
            // (the plan may differ), so at most once here; clearing the bindings after each run made it every time.
            #expect(again <= 1)
        }
    }

    @Test func errorsCarrySQLitesMessage() async throws {
        try await withDatabase { database in
            do {
                _ = try await database.read { db in try await db.raw("SELECT nope FROM nowhere").all() }
                Issue.record("expected an error")
            } catch let error as SQLiteStoreError {
                #expect(error.description.contains("no such table"))
            }
        }
    }

    /// Commits never checkpoint (no fsync stall in a write); the background checkpointer moves the WAL
    /// into the database file within a few seconds.
    @Test func theWALReachesTheDatabaseFileWithoutAnyWriterCheckpointing() async throws {
        try await withDatabase { database, path in
            func size() -> Int { ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0 }
            try await database.write { db in try await db.raw("CREATE TABLE t (x TEXT)").run() }
            let before = size()
            let chunk = String(repeating: "x", count: 10_000)
            try await database.write { db in
                for _ in 0..<200 { try await db.raw("INSERT INTO t VALUES (\(bind: chunk))").run() }
            }
            var waited = 0
            while size() < before + 1_000_000 && waited < 100 {
                try await Task.sleep(for: .milliseconds(100))
                waited += 1
            }
            #expect(size() >= before + 1_000_000, "2 MB written reached the database file")
            let autocheckpoint = try await database.write { db in
                try await db.raw("PRAGMA wal_autocheckpoint").first()?.decode(column: "wal_autocheckpoint", as: Int.self)
            }
            #expect(autocheckpoint == 0)
        }
    }

    /// Under writes that never pause, checkpoints still complete and the WAL starts over instead of growing
    /// with every commit.
    @Test func aWriterThatNeverPausesDoesNotGrowTheWALForever() async throws {
        try await withDatabase { database, path in
            try await database.write { db in try await db.raw("CREATE TABLE t (x TEXT)").run() }
            let chunk = String(repeating: "y", count: 8_000)
            // Ten seconds, or longer (up to a minute) on a machine whose disk is busy enough that ten seconds
            // hold too few commits to tell.
            let clock = ContinuousClock(), end = clock.now + .seconds(10), latest = clock.now + .seconds(60)
            var commits = 0
            while clock.now < end || (commits <= 150 && clock.now < latest) {
                try await database.write { db in try await db.raw("INSERT INTO t VALUES (\(bind: chunk))").run() }
                commits += 1
            }
            // The WAL header's checkpoint sequence number (bytes 12-15, big-endian) counts the times the WAL
            // started over; its file size says nothing (a restarted WAL keeps its length), and how far it grew
            // before restarting depends on the machine's speed.
            let header = try #require(FileManager.default.contents(atPath: path + "-wal")?.prefix(16))
            let restarts = header.suffix(4).reduce(0) { $0 << 8 | Int($1) }
            #expect(commits > 100, "enough was written to tell")
            #expect(restarts >= 1, "the WAL never started over in \(commits) commits")
        }
    }

    private struct Refused: Error {}

    /// Many writers at once share transactions; one that throws (its own error, or SQLite's) is undone
    /// alone, everyone gets their own answer, and every acknowledged write is there.
    @Test func concurrentWritesShareCommitsAndFailAlone() async throws {
        try await withDatabase { database in
            try await database.write { db in try await db.raw("CREATE TABLE t (x INTEGER UNIQUE)").run() }
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
                for n in 0..<200 {
                    group.addTask {
                        do {
                            let echoed = try await database.write { db -> Int in
                                try await db.raw("INSERT INTO t VALUES (\(bind: n))").run()
                                if n % 10 == 3 { throw Refused() }
                                if n % 10 == 7 { try await db.raw("INSERT INTO t VALUES (\(bind: n))").run() }  // UNIQUE fails
                                return n
                            }
                            return (n, echoed == n)
                        } catch is Refused {
                            return (n, n % 10 == 3 ? false : true)
                        } catch {
                            return (n, false)
                        }
                    }
                }
                var outcomes: [Int: Bool] = [:]
                for await (n, ok) in group { outcomes[n] = ok }
                return outcomes
            }
            let acknowledged = Set(outcomes.filter(\.value).keys)
            #expect(acknowledged == Set((0..<200).filter { $0 % 10 != 3 && $0 % 10 != 7 }))
            let stored = try await database.read { db in
                Set(try await db.raw("SELECT x FROM t").all().map { try $0.decode(column: "x", as: Int.self) })
            }
            #expect(stored == acknowledged)
        }
    }
}
