import ArgumentParser
import StarconCore

/// `starcon announce TEXT [--severity …] [--expires HOURS] [--lang ko TEXT …]`: publishes an announcement
/// through the core (an admin's right), beside a running server or not; the servers' event logs carry it to
/// open pages and apps, and their job posts the article and the INBOX copies.
struct AnnounceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "announce", abstract: "Publish an announcement to every member.",
        discussion: "Example: starcon announce \"Water off 9-12 tomorrow\" --severity warning --expires 24 --lang ko \"내일 9-12시 단수\"")
    @OptionGroup var store: StoreOptions
    @Argument(help: "The text, in the language given by --text-language (English unless told).") var text: String
    @Option(name: .customLong("text-language"), help: "The language of TEXT: en, ko, ru, zh or ja.") var textLanguage = "en"
    @Option(help: "info, warning or alert.") var severity = "info"
    @Option(help: "Hours until it is no longer shown (1 to a year); none: until ended.") var expires: Int?
    @Option(name: .customLong("lang"), parsing: .upToNextOption,
            help: "A translation: a language code and its text (repeat for more: --lang ko TEXT --lang ja TEXT).") var translations: [String] = []
    @Option(name: .customLong("as"), help: "The admin it is from (default: the first admin).") var author: String?

    func validate() throws {
        guard AnnouncementSeverity(rawValue: severity) != nil else { throw ValidationError("--severity must be info, warning or alert") }
        guard translations.count % 2 == 0 else { throw ValidationError("--lang takes a language code and a text") }
    }

    func run() async throws {
        var texts = [textLanguage: text]
        for index in stride(from: 0, to: translations.count, by: 2) { texts[translations[index]] = translations[index + 1] }
        let announcement = try await store.withCore { core in
            let actor = try await core.announcements.author(named: author)
            return try await core.announcements.create(actor: actor, texts: texts, severity: AnnouncementSeverity(rawValue: severity)!,
                                                        expiresInHours: expires)
        }
        print("announced \(announcement.id) (\(announcement.severity.rawValue), \(announcement.texts.keys.sorted().joined(separator: ", ")))")
    }
}
