/// The main menu's pictures (24×24 SVG paths, drawn inline: no image requests, nothing for the CSP to allow).
/// They show only on a phone, where the menu is a bar along the bottom of the screen with a short word under
/// each picture; a desktop shows the words alone.
enum NavIcons {
    static let paths: [String: String] = [
        "/": "M10 20v-6h4v6h5v-8h3L12 3 2 12h3v8z",
        "/messages": "M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2z",
        "/newsgroups": "M21 6h-2v9H6v2a1 1 0 0 0 1 1h11l4 4V7a1 1 0 0 0-1-1zm-4 6V3a1 1 0 0 0-1-1H3a1 1 0 0 0-1 1v14l4-4h10a1 1 0 0 0 1-1z",
        "/mail": "M20 4H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2zm0 4-8 5-8-5V6l8 5 8-5z",
        "/search": "M15.5 14h-.79l-.28-.27A6.5 6.5 0 1 0 14 15.5l.27.28v.79l5 4.99L20.49 19l-4.99-5zm-6 0a4.5 4.5 0 1 1 0-9 4.5 4.5 0 0 1 0 9z",
        "/admin": "M12 1 3 5v6c0 5.55 3.84 10.74 9 12 5.16-1.26 9-6.45 9-12V5z",
    ]

    /// The main menu's items with their pictures and, where the full word is too long for a fifth of a
    /// phone's width ("Группы новостей", "ニュースグループ"), the bar's shorter word.
    static func decorate(_ items: [[String: Any]], _ t: [String: String]) -> [[String: Any]] {
        items.map { item in
            var item = item
            let href = item["href"] as? String ?? ""
            item["icon"] = paths[href] ?? ""
            let key = "navbar_" + (href == "/" ? "feed" : String(href.dropFirst()))
            if let short = t[key] { item["short"] = short }
            return item
        }
    }
}
