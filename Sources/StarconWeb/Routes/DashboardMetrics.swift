import StarconCore

/// The admin dashboard's figures in Prometheus text, after the registry's own metrics in `/metrics`:
/// gauges for what is now (members, storage, reports) and for today's activity (the UTC day so far).
enum DashboardMetrics {
    static func text(_ stats: DashboardStats.Snapshot) -> String {
        var out = ""
        func gauge(_ name: String, _ help: String, _ samples: [(labels: String, value: Int64)]) {
            out += "# HELP starcon_\(name) \(help)\n# TYPE starcon_\(name) gauge\n"
            for sample in samples { out += "starcon_\(name)\(sample.labels) \(sample.value)\n" }
        }
        gauge("members", "Active members by account kind", stats.membersByKind.map { ("{kind=\"\($0.kind.rawValue)\"}", Int64($0.count)) })
        gauge("accounts", "Accounts by status", stats.accountsByStatus.map { ("{status=\"\($0.status.rawValue)\"}", Int64($0.count)) })
        let today = stats.days.last ?? DashboardStats.Day(start: 0)
        gauge("signups_today", "Accounts created since UTC midnight", [("", Int64(today.signUps))])
        gauge("active_members_today", "Members who used a session or token since UTC midnight", [("", Int64(today.activeMembers))])
        gauge("items_today", "Posts, messages, articles and mail since UTC midnight", [
            ("{kind=\"post\"}", Int64(today.posts)), ("{kind=\"message\"}", Int64(today.messages)),
            ("{kind=\"article\"}", Int64(today.articles)), ("{kind=\"mail\"}", Int64(today.mail)),
        ])
        gauge("storage_bytes", "Bytes used by the store, the media files and stored mail", [
            ("{part=\"database\"}", stats.databaseBytes), ("{part=\"media\"}", stats.mediaBytes), ("{part=\"mail\"}", stats.mailBytes),
        ])
        if let reports = stats.openReports { gauge("open_reports", "Reports waiting for a moderator", [("", Int64(reports))]) }
        return out
    }
}
