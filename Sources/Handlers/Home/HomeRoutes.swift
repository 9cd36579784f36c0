/// `/`: the landing page.
enum HomeRoutes {
    static func register(on router: inout Router) {
        router.get("/", .anyone) { _, context in try context.render("home", [:]) }
    }
}
