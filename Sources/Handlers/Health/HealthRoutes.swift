import JSONSupport
/// `GET /healthz`: the process answers (no database round trip, so it is cheap to probe).
enum HealthRoutes {
    static func register(on router: inout Router) {
        router.get("/healthz", .anyone) { _, _ in .json(["status": "ok"]) }
    }
}
