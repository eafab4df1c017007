/// A short, human name for a User-Agent ("Firefox on Windows"), for the sessions page.
enum DeviceName {
    static func describe(_ userAgent: String) -> String? {
        guard !userAgent.isEmpty else { return nil }
        let browsers: [(String, String)] = [
            ("Edg/", "Edge"), ("OPR/", "Opera"), ("YaBrowser", "Yandex Browser"), ("SamsungBrowser", "Samsung Internet"),
            ("Whale/", "Whale"), ("Firefox/", "Firefox"), ("HeadlessChrome", "Headless Chrome"), ("Chromium/", "Chromium"),
            ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("python-requests", "Python requests"), ("curl/", "curl"),
        ]
        let systems: [(String, String)] = [
            ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"),
        ]
        let browser = browsers.first { userAgent.contains($0.0) }?.1
        let system = systems.first { userAgent.contains($0.0) }?.1
        switch (browser, system) {
        case let (b?, s?): return "\(b) · \(s)"
        case let (b?, nil): return b
        case let (nil, s?): return s
        default: return String(userAgent.prefix(60))
        }
    }
}
