import Foundation

/// Stylesheets and scripts as sent: without their comments and indentation, which slow links pay for on every
/// first visit (the sources in Assets/ keep them for their readers). Only what cannot change meaning goes:
/// CSS comments, runs of whitespace (one space is kept, since `a :hover` differs from `a:hover`) and spaces
/// beside `{ } ; ,`; whole comment lines, blank lines and indentation of scripts (their newlines stay, so no
/// statement joins the next). Strings in our stylesheets and scripts never hold these characters in a way
/// this could alter (`AssetMinifierTests`).
enum AssetMinifier {
    static func minify(_ data: Data, ext: String) -> Data {
        guard let text = String(data: data, encoding: .utf8) else { return data }
        switch ext {
        case "css": return Data(css(text).utf8)
        case "js": return Data(script(text).utf8)
        default: return data
        }
    }

    static func css(_ text: String) -> String {
        var out = text.replacingOccurrences(of: #"/\*[\s\S]*?\*/"#, with: "", options: .regularExpression)
        out = out.replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
        out = out.replacingOccurrences(of: #" ?([{};,]) ?"#, with: "$1", options: .regularExpression)
        return out.trimmingCharacters(in: .whitespaces)
    }

    static func script(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: true)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("//") }
            .joined(separator: "\n")
    }
}
