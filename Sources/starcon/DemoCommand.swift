import ArgumentParser
import StarconCore

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Fill an empty instance with a demo network: members of every kind, follows, posts in five languages with photos.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let result = try await store.withCore { core in try await DemoNetwork(core: core).create() }
        print("created \(result.members) demo members and \(result.posts) posts")
        print("every demo member (minjun, olga, wei, yuki, sam, health, …) signs in with the password: \(result.password)")
    }
}
