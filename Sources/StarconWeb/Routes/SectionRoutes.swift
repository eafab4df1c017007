import Hummingbird
import StarconCore

/// The parts of the network whose own issues are still open (search):
/// each has its place in the navigation and says plainly that it is coming.
struct SectionRoutes {
    let web: WebServices

    func add(to router: Router<WebContext>) {
        for (path, section) in [("/search", Renderer.Section.search)] {
            router.get(RouterPath(stringLiteral: path)) { _, context in try placeholder(section, context) }
        }
    }

    private func placeholder(_ section: Renderer.Section, _ context: WebContext) throws -> Response {
        _ = try web.member(context)
        let t = web.renderer.catalogue(context)
        let title = t.text("\(section.rawValue)_title")
        return web.renderer.page("section", title: title, section: section, data: ["heading": title], context: context)
    }
}
