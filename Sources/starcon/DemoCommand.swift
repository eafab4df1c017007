import ArgumentParser
import Foundation
import StarconCore

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Fill an empty instance with a demo network: members of every kind and an admin, follows, posts in five languages with photos, conversations, newsgroups with threads.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let (result, base) = try await store.withCore { core in
            (try await DemoNetwork(core: core).create(), try await core.settings.get(.publicURL) ?? "http://127.0.0.1:8080")
        }
        print("created \(result.members) demo members, \(result.posts) posts, \(result.conversations) conversations, "
              + "\(result.newsgroups) newsgroups with \(result.articles) articles")
        print("sign in at \(base)/login; every demo member signs in with the password: \(result.password)")
        let width = result.signIns.map(\.kind.count).max() ?? 0
        for (kind, names) in result.signIns {
            print("  \(kind.padding(toLength: width, withPad: " ", startingAt: 0))  \(names.joined(separator: ", "))")
        }
        print("the admin (\(result.signIns.first?.usernames.joined(separator: ", ") ?? "")) has the Admin page and creates newsgroups on the Newsgroups page")
    }
}
