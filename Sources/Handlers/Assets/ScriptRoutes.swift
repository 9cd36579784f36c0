/// The pages' scripts, from `templates/scripts/`.
enum ScriptRoutes {
    static func register(on router: inout Router) {
        router.get("/scripts/{name}", .anyone, script)
    }

    private static func script(_ request: Request, _ context: RequestContext) throws -> Response {
        guard let name = request.parameters["name"], let bytes = context.services.environment.templates.script(name) else {
            throw HTTPError.notFound
        }
        return Response(
            status: .ok,
            headers: [
                ("Content-Type", "text/javascript; charset=utf-8"), ("Cache-Control", "public, max-age=300"),
            ], body: .bytes(bytes))
    }
}
