/// A bar chart as inline SVG, drawn on the server: no script, and no style attribute (the CSP forbids inline
/// style; the bars take their colour from app.css classes). It scales to its container's width.
enum BarChart {
    static let width = 300, height = 110, top = 14, bottom = 16

    /// `values` oldest first; `firstLabel`/`lastLabel` name the first and last bar; `title` is read aloud.
    static func svg(values: [Int], title: String, firstLabel: String, lastLabel: String, maxLabel: String) -> String {
        let plot = height - top - bottom
        let peak = max(values.max() ?? 0, 1)
        let slot = Double(width) / Double(max(values.count, 1))
        var bars = ""
        for (index, value) in values.enumerated() where value > 0 {
            let barHeight = max(1, Int((Double(value) / Double(peak) * Double(plot)).rounded()))
            let x = Double(index) * slot + 1
            bars += "<rect class=\"bar\" x=\"\(format(x))\" y=\"\(top + plot - barHeight)\" width=\"\(format(max(slot - 2, 1)))\" height=\"\(barHeight)\"><title>\(HTML.escape(String(value)))</title></rect>"
        }
        return """
            <svg class="dash-chart" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(HTML.escape(title))" xmlns="http://www.w3.org/2000/svg">\
            <text x="0" y="10">\(HTML.escape(maxLabel))</text>\
            <line class="axis" x1="0" y1="\(top + plot)" x2="\(width)" y2="\(top + plot)"/>\(bars)\
            <text x="0" y="\(height - 3)">\(HTML.escape(firstLabel))</text>\
            <text x="\(width)" y="\(height - 3)" text-anchor="end">\(HTML.escape(lastLabel))</text></svg>
            """
    }

    private static func format(_ value: Double) -> String { String((value * 10).rounded() / 10) }
}
