import Foundation

/// Fills an empty instance with a believable network, so a new admin sees it living at once: people
/// writing in Korean, Russian, Chinese, Japanese and English, a state news agency, a health ministry, a
/// sports club, a restaurant, a foreign visitor and an admin; follows, posts with photos and hashtags, replies,
/// likes and shares; chats and newsgroup threads (`DemoGatherings`).
public struct DemoNetwork: Sendable {
    struct Member {
        let username: String
        let displayName: String
        let kind: AccountKind
        let bio: String
        let language: String
        var role: Role = .member
    }

    struct Post {
        let author: String
        let text: String
        var photo: Int? = nil
        var alt: String = ""
        var spoiler: String = ""
        var replyTo: Int? = nil
        var likes: [String] = []
        var shares: [String] = []
    }

    static let members: [Member] = [
        Member(username: "minjun", displayName: "김민준", kind: .person, bio: "엔지니어. 등산과 사진을 좋아합니다.", language: "ko"),
        Member(username: "seoyeon", displayName: "이서연", kind: .person, bio: "대학원생 · 생물학 · 고양이 두 마리", language: "ko"),
        Member(username: "olga", displayName: "Ольга Петрова", kind: .person, bio: "Учитель математики. Люблю шахматы и борщ.", language: "ru"),
        Member(username: "wei", displayName: "王伟", kind: .person, bio: "工厂技术员，业余摄影爱好者。", language: "zh"),
        Member(username: "yuki", displayName: "佐藤 由紀", kind: .person, bio: "看護師です。休みの日はパン作り。", language: "ja"),
        Member(username: "sam", displayName: "Sam Carter", kind: .person, bio: "Research station logistics. Coffee first.", language: "en"),
        Member(username: "newsagency", displayName: "국가통신사", kind: .official, bio: "국가 통신사의 공식 계정입니다.", language: "ko"),
        Member(username: "health", displayName: "보건부", kind: .official, bio: "보건 안내와 예방접종 소식을 전합니다.", language: "ko"),
        Member(username: "hanbit_fc", displayName: "한빛 체육단", kind: .organisation, bio: "축구 · 배구 · 탁구. 경기 일정과 결과.", language: "ko"),
        Member(username: "noodles", displayName: "한강 냉면집", kind: .company, bio: "물냉면 전문점. 매일 11시–21시.", language: "ko"),
        Member(username: "anna_visit", displayName: "Anna Schmidt", kind: .visitor, bio: "Visiting researcher from Leipzig, here until spring.", language: "en"),
        Member(username: "jiho", displayName: "박지호", kind: .person, bio: "이 네트워크의 관리자. 문의는 메시지로.", language: "ko", role: .admin),
    ]

    /// Who follows whom: everyone follows the two official accounts; people follow each other in a ring.
    static func follows() -> [(String, String)] {
        var pairs: [(String, String)] = []
        let people = members.filter { $0.kind == .person || $0.kind == .visitor }.map(\.username)
        for person in people {
            pairs += ["newsagency", "health", "noodles", "hanbit_fc"].map { (person, $0) }
        }
        for (index, person) in people.enumerated() {
            for step in 1...3 { pairs.append((person, people[(index + step) % people.count])) }
        }
        return pairs
    }

    static let posts: [Post] = [
        Post(author: "health", text: "계절성 독감 예방접종이 오늘부터 시작되었습니다. 가까운 진료소에서 무료로 받을 수 있습니다. #건강 #독감", likes: ["minjun", "seoyeon", "yuki"], shares: ["minjun", "olga"]),
        Post(author: "newsagency", text: "새 학기를 맞아 전국의 대학에서 입학식이 열렸습니다. #교육", photo: 3, alt: "푸른 하늘 아래 언덕", likes: ["seoyeon"]),
        Post(author: "minjun", text: "주말에 산에 다녀왔어요. 단풍이 정말 아름다웠습니다 🍁 #등산 #사진", photo: 0, alt: "해가 뜬 푸른 하늘과 초록 언덕", likes: ["seoyeon", "wei", "anna_visit"]),
        Post(author: "seoyeon", text: "@minjun 와, 사진 너무 좋아요! 다음엔 저도 같이 가요.", replyTo: 2, likes: ["minjun"]),
        Post(author: "olga", text: "Сегодня на уроке решали задачи на вероятность. Ученики спорили до звонка! #математика", likes: ["sam"]),
        Post(author: "wei", text: "今天下班路上看到的晚霞，太美了。#摄影 #晚霞", photo: 1, alt: "紫色的天空和橙色的晚霞，远处是山", likes: ["minjun", "yuki", "olga"], shares: ["yuki"]),
        Post(author: "yuki", text: "夜勤明けのパン作り。今日はメロンパンに挑戦しました🍞 #パン", likes: ["seoyeon", "wei"]),
        Post(author: "yuki", text: "@wei 素敵な夕焼けですね！", replyTo: 5),
        Post(author: "hanbit_fc", text: "이번 주 토요일 15시, 중앙경기장에서 리그 경기가 열립니다. 많은 응원 바랍니다! ⚽ #축구", likes: ["minjun", "sam"]),
        Post(author: "noodles", text: "오늘의 추천: 물냉면과 녹두전. 점심시간에는 자리가 빨리 찹니다. #맛집 #냉면", photo: 2, alt: "흐린 하늘 아래 눈 덮인 들판", likes: ["olga", "anna_visit", "seoyeon"]),
        Post(author: "sam", text: "Supply ship arrives Thursday. If you ordered books, the library desk has the list. #station", likes: ["anna_visit"]),
        Post(author: "anna_visit", text: "First week here: everyone has been so kind. Learning to say 감사합니다 properly! #hello", likes: ["minjun", "seoyeon", "olga"]),
        Post(author: "minjun", text: "@anna_visit 환영합니다! Welcome! 궁금한 게 있으면 언제든 물어보세요.", replyTo: 11),
        Post(author: "olga", text: "Кто-нибудь играет в шахматы по вечерам? Ищу партнёра. #шахматы", spoiler: "Длинное сообщение о шахматах", likes: ["sam"]),
        Post(author: "health", text: "손 씻기는 가장 쉬운 감염 예방법입니다. 비누로 30초 이상 씻어 주세요. #건강", likes: ["yuki"], shares: ["seoyeon"]),
        Post(author: "wei", text: "工厂新的生产线今天开始试运行，大家辛苦了！#工作"),
        Post(author: "seoyeon", text: "실험 결과가 드디어 나왔어요. 오늘은 축하하는 날 🎉", likes: ["minjun", "yuki"]),
    ]

    public struct Result: Sendable {
        public let members: Int
        public let posts: Int
        public let conversations: Int
        public let newsgroups: Int
        public let articles: Int
        public let password: String
        /// Usernames by what they show: "admin", or an account kind's raw value.
        public let signIns: [(kind: String, usernames: [String])]
    }

    let core: Core

    public init(core: Core) {
        self.core = core
    }

    /// Creates the network; refuses when the instance already has posts, so it never mixes with real ones.
    public func create() async throws -> Result {
        let existing = try await core.database.read { db in try await db.raw("SELECT COUNT(*) AS n FROM statuses").first()?.decode(column: "n", as: Int.self) ?? 0 }
        guard existing == 0 else { throw CoreError(.conflict, "demo_not_empty") }
        let password = Secrets.token(bytes: 9)
        var accounts: [String: Account] = [:]
        for member in Self.members {
            var new = AccountService.NewAccount(username: member.username, displayName: member.displayName, password: password)
            new.kind = member.kind
            new.role = member.role
            var account = try await core.accounts.find(username: member.username)
            if account == nil { account = try await core.accounts.create(new) }
            guard let account else { continue }
            accounts[member.username] = try await core.accounts.updateProfile(of: account, .init(displayName: member.displayName, bio: member.bio, language: member.language))
        }
        for (follower, target) in Self.follows() {
            if let a = accounts[follower], let b = accounts[target] { _ = try await core.relationships.follow(a, b) }
        }
        var ids: [Int64] = []
        for post in Self.posts {
            guard let author = accounts[post.author] else { continue }
            var mediaIDs: [Int64] = []
            if let photo = post.photo {
                mediaIDs.append(try await core.media.upload(owner: author, data: DemoPictures.scene(photo), description: post.alt).id)
            }
            let replyTo = post.replyTo.flatMap { $0 < ids.count ? ids[$0] : nil }
            let view = try await core.feed.post(author: author, .init(text: post.text, spoilerText: post.spoiler, inReplyToID: replyTo, mediaIDs: mediaIDs))
            ids.append(view.status.id)
            for name in post.likes { if let member = accounts[name] { _ = try await core.feed.add(.favourite, by: member, statusID: view.status.id) } }
            for name in post.shares { if let member = accounts[name] { _ = try await core.feed.reblog(by: member, statusID: view.status.id) } }
        }
        let conversations = try await createChats(accounts)
        let articles = try await createNewsgroups(accounts)
        let admins = Self.members.filter { $0.role == .admin }.map(\.username)
        let byKind = AccountKind.allCases.map { kind in
            (kind: kind.rawValue, usernames: Self.members.filter { $0.kind == kind && $0.role != .admin }.map(\.username))
        }.filter { !$0.usernames.isEmpty }
        return Result(members: accounts.count, posts: ids.count, conversations: conversations, newsgroups: Self.groups.count,
                      articles: articles, password: password, signIns: [(kind: "admin", usernames: admins)] + byKind)
    }
}
