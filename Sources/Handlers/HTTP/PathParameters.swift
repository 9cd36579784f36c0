extension Request {
    /// The path parameter `name` as a positive id; 404 for anything else (no such resource).
    func idParameter(_ name: String = "id") throws(HTTPError) -> Int {
        guard let id = parameters[name].flatMap(Int.init), id > 0 else { throw .notFound }
        return id
    }
}
