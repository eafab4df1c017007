import Foundation
import StarconCore
@testable import StarconWeb
import Testing

@Suite("Catalogues")
struct CatalogueTests {
    static let catalogues = try! Catalogues.bundled()

    /// Keys whose text may legitimately read the same in a translation (units written the same way).
    static let sameAsEnglishAllowed: Set<String> = ["mail_size_kb", "mail_size_mb"]

    @Test(arguments: Language.allCases.filter { $0 != .en })
    func everyKeyIsTranslated(language: Language) throws {
        let english = Self.catalogues[.en].entries
        let other = Self.catalogues[language].entries
        let missing = Set(english.keys).subtracting(other.keys).sorted()
        let extra = Set(other.keys).subtracting(english.keys).sorted()
        #expect(missing.isEmpty, "\(language.rawValue).json lacks \(missing)")
        #expect(extra.isEmpty, "\(language.rawValue).json has keys English lacks: \(extra)")
        let untranslated = english.keys.filter { key in other[key] == english[key] && !Self.sameAsEnglishAllowed.contains(key) }.sorted()
        #expect(untranslated.isEmpty, "\(language.rawValue).json still holds the English text for \(untranslated)")
    }

    @Test(arguments: Language.allCases)
    func placeholdersAndPluralFormsMatch(language: Language) throws {
        let english = Self.catalogues[.en].entries
        for (key, entry) in Self.catalogues[language].entries {
            switch (entry, english[key]) {
            case (.text(let text), .text(let source)?):
                #expect(Self.placeholders(text) == Self.placeholders(source), "\(language.rawValue): \(key)")
            case (.plural(let forms), .plural(let sourceForms)?):
                #expect(Set(forms.keys) == PluralRules.requiredCategories(for: language), "\(language.rawValue): \(key) plural forms")
                let sourcePlaceholders = Self.placeholders(sourceForms[.other] ?? "")
                for text in forms.values { #expect(Self.placeholders(text) == sourcePlaceholders, "\(language.rawValue): \(key)") }
            default:
                Issue.record("\(language.rawValue): \(key) is not the same kind of entry as in English")
            }
        }
    }

    static func placeholders(_ text: String) -> Set<String> {
        let regex = try! NSRegularExpression(pattern: "\\{[a-z_]+\\}")
        let range = NSRange(text.startIndex..., in: text)
        return Set(regex.matches(in: text, range: range).map { String(text[Range($0.range, in: text)!]) })
    }

    @Test func russianHasThreePluralFormsForWholeNumbers() {
        let expected: [(Int, PluralCategory)] = [(1, .one), (21, .one), (2, .few), (24, .few), (5, .many), (11, .many),
                                                 (12, .many), (111, .many), (0, .many), (101, .one), (1012, .many)]
        for (count, category) in expected {
            #expect(PluralRules.category(for: count, in: .ru) == category, "\(count)")
        }
        #expect(PluralRules.category(for: 1, in: .en) == .one)
        #expect(PluralRules.category(for: 1, in: .ko) == .other)
    }

    @Test func pluralTextsFollowTheLanguage() {
        let formatter = Formatters(language: .ru)
        let ru = Self.catalogues[.ru]
        let one = ru.plural("admin_member_count", count: 1, formatter: formatter)
        let few = ru.plural("admin_member_count", count: 3, formatter: formatter)
        let many = ru.plural("admin_member_count", count: 5, formatter: formatter)
        #expect(Set([one, few, many]).count == 3)
        #expect(Self.catalogues[.en].plural("admin_member_count", count: 1, formatter: Formatters(language: .en)) == "1 member")
        #expect(Self.catalogues[.en].plural("admin_member_count", count: 1200, formatter: Formatters(language: .en)) == "1,200 members")
    }

    @Test func numbersAndDatesFollowTheLocale() {
        #expect(Formatters(language: .ru).number(1_234_567).filter(\.isNumber) == "1234567")
        #expect(Formatters(language: .ru).number(1_234_567) != Formatters(language: .en).number(1_234_567))
        let moment: Int64 = 1_767_225_600_000  // 2026-01-01
        let korean = Formatters(language: .ko).date(moment)
        let japanese = Formatters(language: .ja).date(moment)
        #expect(korean.contains("2026") && korean.contains("1"))
        #expect(japanese.contains("2026"))
        #expect(korean != Formatters(language: .en).date(moment))
    }

    @Test(arguments: [
        ("ko-KR,ko;q=0.9,en-US;q=0.8", Language.ko), ("en-US,en;q=0.9", .en), ("ru", .ru), ("zh-CN,zh;q=0.9", .zh),
        ("ja;q=0.5, ru;q=0.8", .ru), ("fr-FR, de;q=0.9", nil), ("", nil), ("de, ja;q=0.1", .ja), ("ko;q=0, en", .en),
    ] as [(String, Language?)])
    func acceptLanguageNegotiation(header: String, expected: Language?) {
        #expect(Language.negotiate(header) == expected)
    }
}

@Suite("Audit action labels")
struct AuditActionLabelTests {
    @Test(arguments: Language.allCases)
    func everyRecordedActionHasWords(language: Language) {
        let t = CatalogueTests.catalogues[language]
        for code in AuditLog.actions {
            #expect(t.text(AuditActionLabel.keyPrefix + code) != AuditActionLabel.keyPrefix + code, "\(language.rawValue): \(code)")
        }
    }

    @Test func anUnknownCodeReadsAsWords() {
        let t = CatalogueTests.catalogues[.ko]
        #expect(AuditActionLabel.text("report.resolve", t) == "Report › resolve")
        #expect(AuditActionLabel.text("account.force_password", t) == "Account › force password")
        #expect(AuditActionLabel.text("group.create", t) == "뉴스그룹 생성")
        #expect(AuditActionLabel.isCode("announcement.publish"))
        #expect(!AuditActionLabel.isCode("x' OR 1=1"))
        #expect(!AuditActionLabel.isCode(""))
    }
}
