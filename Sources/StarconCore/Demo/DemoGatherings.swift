/// The demo network's conversations and newsgroups: a 1:1 chat, a group chat and newsgroups with threads, so
/// the messenger and the newsgroups are not empty on the first visit either. Each gathering's words are in
/// the language its people write in.
extension DemoNetwork {
    struct Chat {
        let title: String
        let members: [String]
        /// Sender and text, oldest first.
        let messages: [(String, String)]
    }

    static let chats: [Chat] = [
        Chat(title: "", members: ["minjun", "seoyeon"], messages: [
            ("minjun", "서연 씨, 토요일 등산 가요?"),
            ("seoyeon", "네! 9시에 정문에서 만나요 ⛰️"),
            ("minjun", "좋아요. 김밥은 제가 챙길게요."),
        ]),
        Chat(title: "", members: ["olga", "sam"], messages: [
            ("sam", "Olga, are we still on for chess on Friday?"),
            ("olga", "Yes! 19:00 at the library. Проигравший несёт чай 🙂"),
        ]),
        Chat(title: "등산 동호회 · Hiking club", members: ["minjun", "seoyeon", "wei", "anna_visit"], messages: [
            ("minjun", "이번 주 토요일 9시, 정문 앞에서 출발합니다."),
            ("anna_visit", "Can I join? I have boots but no poles."),
            ("wei", "我有多余的登山杖，可以借给你。"),
            ("seoyeon", "Anna 씨 환영해요! Welcome!"),
        ]),
    ]

    struct Thread {
        let group: String
        let author: String
        let subject: String
        let body: String
        /// Author and body of each reply, each answering the one before.
        let replies: [(String, String)]
    }

    static let groups: [(name: String, description: String)] = [
        ("starcon.general", "Everything about the network · 네트워크 이야기"),
        ("campus.sports", "경기 일정과 결과 · Matches and results"),
        ("station.help", "Questions and answers · 질문과 답변"),
    ]

    static let threads: [Thread] = [
        Thread(group: "starcon.general", author: "sam", subject: "Welcome to the newsgroups",
               body: "This is the place for longer discussions. Any newsreader works too (slrn, Thunderbird).",
               replies: [("olga", "Спасибо! Отличное место для длинных обсуждений."), ("yuki", "よろしくお願いします。")]),
        Thread(group: "campus.sports", author: "hanbit_fc", subject: "토요일 리그 경기 안내",
               body: "토요일 15시, 중앙경기장. 응원 도구는 입구에서 나눠 드립니다.",
               replies: [("minjun", "꼭 갈게요! 몇 시까지 입장하면 되나요?"), ("hanbit_fc", "14시 30분까지 입장해 주세요.")]),
        Thread(group: "station.help", author: "anna_visit", subject: "Where do I pick up parcels?",
               body: "A parcel came for me on the supply ship. Where is the desk?",
               replies: [("sam", "Library desk, ground floor, 10:00-16:00.")]),
    ]

    /// Opens the chats and writes their messages; returns how many conversations there are.
    func createChats(_ accounts: [String: Account]) async throws -> Int {
        var count = 0
        for chat in Self.chats {
            guard let creator = accounts[chat.members[0]] else { continue }
            let view = try await core.messenger.start(creator: creator, usernames: Array(chat.members.dropFirst()), title: chat.title,
                                                      group: chat.members.count > 2)
            for (sender, text) in chat.messages {
                if let account = accounts[sender] { _ = try await core.messenger.send(sender: account, conversationID: view.id, text: text) }
            }
            count += 1
        }
        return count
    }

    /// Creates the newsgroups (keeping any that exist) and their threads; returns how many articles were posted.
    func createNewsgroups(_ accounts: [String: Account]) async throws -> Int {
        for group in Self.groups where try await core.news.group(named: group.name) == nil {
            _ = try await core.news.createGroup(actor: nil, name: group.name, description: group.description)
        }
        var count = 0
        for thread in Self.threads {
            guard let author = accounts[thread.author] else { continue }
            var references: [String] = []
            let first = try await core.news.post(author: author, ArticleDraft(newsgroups: [thread.group], subject: thread.subject, body: thread.body))
            references.append(first.article.messageID)
            count += 1
            for (name, body) in thread.replies {
                guard let member = accounts[name] else { continue }
                let reply = try await core.news.post(author: member, ArticleDraft(newsgroups: [thread.group], subject: "Re: " + thread.subject,
                                                                                  body: body, references: references))
                references.append(reply.article.messageID)
                count += 1
            }
        }
        return count
    }
}
