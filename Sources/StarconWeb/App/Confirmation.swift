import Hummingbird
import StarconCore

/// The step between a button whose effect cannot be undone (delete, leave, remove, block, suspend) and the
/// effect. The button's own POST carries no `confirmed` field, so it changes nothing and answers with a page
/// that asks, whose form repeats the same POST with the same fields and `confirmed`. With script, feed.js asks
/// in a <dialog> instead and adds `confirmed` to the same form, so both paths reach the same route.
extension WebServices {
    static let confirmedField = "confirmed"

    /// nil when the member has confirmed; otherwise the page that asks `question` (in the member's words, with
    /// an optional `detail` line), whose button reads `button` and whose "cancel" goes back to `back`.
    func unconfirmed(_ form: FormInput, _ request: Request, _ context: WebContext, question: String, detail: String = "",
                     button: String, back: String) -> Response? {
        guard form[Self.confirmedField] == nil else { return nil }
        let t = renderer.catalogue(context)
        let fields = form.fieldsWithoutToken.map { ["name": $0.name, "value": $0.value] }
        var data: [String: Any] = [
            "question": question, "button": button, "fields": fields,
            "action": Self.safeLocalPath(request.uri.path) ?? "/", "back": Self.safeLocalPath(back) ?? "/",
            "cancel": t.text("safety_cancel"),
        ]
        if !detail.isEmpty { data["detail"] = detail }  // Mustache shows a section even for ""
        return renderer.page("confirm", title: question, data: data, context: context)
    }
}
