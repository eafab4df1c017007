import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Tells when another process wrote to an SQLite database: inotify on the database's directory, for writes
/// to its `-wal` file (every commit in WAL mode appends there). A thread of its own blocks in `poll`.
///
/// The write that inotify reports can come before the commit is readable: SQLite appends the commit's frames to
/// the WAL and only then updates the WAL index (`-shm`, a memory map, which inotify does not see). A reader woken
/// in between finds nothing new, and with no later write nothing would wake it again: an event would wait for
/// the next commit (a test waiting on a second node hung that way on a loaded machine). So after each reported
/// write the watcher looks once more when the file has been quiet for a moment, and once a second regardless.
enum SQLiteCommitWatcher {
    static func watch(databasePath path: String, _ changed: @escaping @Sendable () -> Void) async {
        #if canImport(Glibc)
        let directory = (path as NSString).deletingLastPathComponent
        let walName = (path as NSString).lastPathComponent + "-wal"
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return }
        guard inotify_add_watch(fd, directory.isEmpty ? "." : directory, UInt32(IN_MODIFY | IN_CREATE)) >= 0 else {
            close(fd)
            return
        }
        let stop = StopFlag()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let thread = Thread {
                    run(fd: fd, walName: walName, stop: stop, changed)
                    close(fd)
                    done.resume()
                }
                thread.name = "sqlite-commit-watcher"
                thread.start()
            }
        } onCancel: {
            stop.set()
        }
        #endif
    }

    #if canImport(Glibc)
    private static func run(fd: Int32, walName: String, stop: StopFlag, _ changed: @Sendable () -> Void) {
        let bufferSize = 16 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 8)
        defer { buffer.deallocate() }
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        changed()
        var settling = false
        while !stop.isSet {
            poller.revents = 0
            guard poll(&poller, 1, settling ? settleMilliseconds : 1000) > 0 else {
                // Quiet: the last commit reported is surely indexed by now (or a second has passed).
                settling = false
                changed()
                continue
            }
            var touched = false
            while true {
                let count = read(fd, buffer, bufferSize)
                guard count > 0 else { break }
                var offset = 0
                while offset < count {
                    let event = buffer.advanced(by: offset).assumingMemoryBound(to: inotify_event.self)
                    let nameLength = Int(event.pointee.len)
                    if nameLength > 0 {
                        let name = String(cString: buffer.advanced(by: offset + MemoryLayout<inotify_event>.size).assumingMemoryBound(to: CChar.self))
                        if name == walName { touched = true }
                    }
                    offset += MemoryLayout<inotify_event>.size + nameLength
                }
            }
            if touched {
                changed()
                settling = true
            }
        }
    }

    /// How long the WAL must stay quiet before the watcher looks again after a reported write.
    private static let settleMilliseconds: Int32 = 20
    #endif
}

private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
