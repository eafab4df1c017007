import Foundation

/// The `--data` directory: SQLite file and media. Checked up front so a bad path is a one-line error.
public enum DataDirectory {
    public static func prepare(_ path: String) throws(ConfigurationError) {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ConfigurationError("data directory \(path) exists and is not a directory") }
        } else {
            do {
                try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw ConfigurationError("cannot create data directory \(path): \(error.localizedDescription)")
            }
        }
        guard manager.isWritableFile(atPath: path) else {
            throw ConfigurationError("data directory \(path) is not writable")
        }
        let probe = (path as NSString).appendingPathComponent(".starcon-write-check")
        guard manager.createFile(atPath: probe, contents: Data()) else {
            throw ConfigurationError("data directory \(path) is not writable")
        }
        try? manager.removeItem(atPath: probe)
    }
}
