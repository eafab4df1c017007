import StarconCore

/// Template values for one photo as the core's `PhotoPresentation` says to show it: an image, or a
/// placeholder (its average colour, its size) that links to `revealHref`, a page showing it.
struct PhotoViewModel {
    let catalogue: Catalogue
    let formatter: Formatters

    func values(_ media: MediaAttachment, _ presentation: PhotoPresentation, revealHref: String) -> [String: Any] {
        let label = media.smallKilobytes.map { catalogue.text("datasaver_photo_size", ["size": formatter.number($0)]) }
            ?? catalogue.text("datasaver_photo")
        return [
            "small": "/media/\(media.small.file(media.digest))", "large": "/media/\(media.large.file(media.digest))",
            "original": "/media/\(media.original.file(media.digest))", "alt": media.description,
            "width": media.small.width, "height": media.small.height,
            "now": presentation.trigger == .now, "trigger": presentation.trigger.rawValue,
            "unless_slow": presentation.unlessSlowLink, "noscript": presentation.noscriptImage,
            "colour": media.averageColour, "label": label, "reveal_href": revealHref,
        ]
    }
}
