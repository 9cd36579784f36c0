extension Request {
    /// The path parameter `name` as a positive id; 404 for anything else (no such resource).
    func idParameter(_ name: String = "id") throws(HTTPError) -> Int {
        guard let id = parameters[name].flatMap(Int.init), id > 0 else { throw .notFound }
        return id
    }

    /// The path parameter `name` as text; 404 when it is empty.
    func textParameter(_ name: String) throws(HTTPError) -> String {
        guard let value = parameters[name], !value.isEmpty else { throw .notFound }
        return value
    }
}
