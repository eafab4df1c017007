@testable import StarconCore
import Testing

@Suite("Account rules")
struct AccountRulesTests {
    @Test(arguments: ["alice", "Bob_2", "x", "a_b_c_d_e_f_g_h_i_j_k_l_m_n_o_"])
    func validUsernames(name: String) throws {
        try AccountRules.validateUsername(name)
    }

    @Test(arguments: ["", "김철수", "bad name", "a-b", "evil<script>", "a@b", String(repeating: "a", count: 31), "ü"])
    func invalidUsernames(name: String) {
        #expect(throws: CoreError.self) { try AccountRules.validateUsername(name) }
    }

    @Test func displayNamesTakeAnyScriptButNoControls() throws {
        #expect(try AccountRules.cleanDisplayName("  김철수  ") == "김철수")
        #expect(try AccountRules.cleanDisplayName("Иван\u{0007}") == "Иван")
        #expect(try AccountRules.cleanDisplayName("王小明 🇰🇷") == "王小明 🇰🇷")
        #expect(throws: CoreError.self) { try AccountRules.cleanDisplayName(" \u{200B} ") }
        #expect(throws: CoreError.self) { try AccountRules.cleanDisplayName(String(repeating: "가", count: 61)) }
    }

    @Test func passwords() {
        #expect(throws: CoreError.self) { try AccountRules.validatePassword("short") }
        #expect(throws: CoreError.self) { try AccountRules.validatePassword(String(repeating: "가", count: 30)) }  // 90 bytes
        #expect(throws: Never.self) { try AccountRules.validatePassword("correct horse battery") }
    }
}
