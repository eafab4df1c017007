import Foundation
import Hummingbird
import StarconCore

/// `/admin/dashboard`: the core's `DashboardStats` as figures and server-drawn SVG charts (the last 30 days).
struct DashboardRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        router.get("/admin/dashboard") { _, context in try await dashboard(context) }
    }

    private func dashboard(_ context: WebContext) async throws -> Response {
        _ = try web.staff(context)
        let t = web.renderer.catalogue(context)
        let formatter = web.renderer.formatter(context)
        let stats = try await web.core.dashboard.snapshot()
        let days = stats.days
        let dayFormatter = web.renderer.formatters[context.language]!.viewer(timeZone: TimeZone(identifier: "UTC")!, catalogue: t)
        let first = days.first.map { dayFormatter.date($0.start) } ?? "", last = days.last.map { dayFormatter.date($0.start) } ?? ""
        let series: [(key: String, values: [Int])] = [
            ("dashboard_signups", days.map(\.signUps)), ("dashboard_active", days.map(\.activeMembers)),
            ("dashboard_posts", days.map(\.posts)), ("dashboard_messages", days.map(\.messages)),
            ("dashboard_articles", days.map(\.articles)), ("dashboard_mail", days.map(\.mail)),
        ]
        let charts = series.map { key, values -> [String: Any] in
            let title = t.text(key)
            return ["title": title, "total": t.text("dashboard_total_30", ["count": formatter.number(values.reduce(0, +))]),
                    "today": t.text("dashboard_today", ["count": formatter.number(values.last ?? 0)]),
                    "svg": BarChart.svg(values: values, title: title, firstLabel: first, lastLabel: last,
                                        maxLabel: formatter.number(values.max() ?? 0))]
        }
        let kinds = stats.membersByKind.map { ["label": t.text("kind_\($0.kind.rawValue)"), "value": formatter.number($0.count)] }
        let statuses = stats.accountsByStatus.filter { $0.count > 0 }.map {
            ["label": t.text("dashboard_status_\($0.status.rawValue)"), "value": formatter.number($0.count)]
        }
        let storage = [("dashboard_storage_database", stats.databaseBytes), ("dashboard_storage_media", stats.mediaBytes),
                       ("dashboard_storage_mail", stats.mailBytes)].map { ["label": t.text($0.0), "value": Self.bytes($0.1, formatter)] }
        return try AdminRoutes(web: web).adminPage("admin_dashboard", tab: "dashboard", context, data: [
            "kinds": kinds, "statuses": statuses, "storage": storage, "charts": charts,
            "reports": stats.openReports.map { formatter.number($0) } as Any,
        ])
    }

    /// Bytes in the largest unit that keeps the number at least 1 (1,000-based, as disks are sold).
    static func bytes(_ count: Int64, _ formatter: Formatters) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(count), unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        let shown = unit == 0 || value >= 100 ? formatter.number(Int(value.rounded())) : String(format: "%.1f", value)
        return "\(shown) \(units[unit])"
    }
}
