import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Tells when another process wrote to an SQLite database: inotify on the database's directory, for writes
/// to its `-wal` file (every commit in WAL mode appends there). A thread of its own blocks in `poll`; its
/// one-second timeout only lets it notice cancellation.
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
        while !stop.isSet {
            poller.revents = 0
            guard poll(&poller, 1, 1000) > 0 else { continue }
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
            if touched { changed() }
        }
    }
    #endif
}

private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
