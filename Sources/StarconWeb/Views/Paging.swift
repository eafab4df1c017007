import StarconCore

/// "Newer" and "older" links of a list paged by id (`max_id` for older, `min_id` for newer), from the
/// page just read: older when the page was full (or came from a newer-than read), newer whenever the page
/// is not the first one.
enum Paging {
    static func links(path: String, page: PageRequest, count: Int, newest: Int64?, oldest: Int64?) -> [String: Any] {
        let full = count >= page.limit
        var older = "", newer = ""
        if let oldest, full || page.minID != nil { older = "\(path)?max_id=\(oldest)" }
        if page.maxID != nil || (page.minID != nil && full) {
            newer = newest.map { "\(path)?min_id=\($0)" } ?? path
        }
        return ["older": older, "newer": newer]
    }
}
