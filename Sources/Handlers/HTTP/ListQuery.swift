/// The query of a paged list (`?limit=50&before=1234`), checked: a bad value is a 400 that names it, not a
/// silently different page.
struct ListQuery {
    /// How many items a page has when the query does not say.
    static let defaultLimit = 50

    let limit: Int
    /// Items older than this id (the `next_before` of the previous page).
    let beforeID: Int?

    init(_ request: Request, maxLimit: Int) throws(HTTPError) {
        var errors: [FieldError] = []
        limit =
            request.query["limit"].map { text in
                guard let value = Int(text), (1...maxLimit).contains(value) else {
                    errors.append(FieldError("limit", "must be a whole number from 1 to \(maxLimit)"))
                    return 1
                }
                return value
            } ?? min(Self.defaultLimit, maxLimit)
        beforeID = request.query["before"].flatMap { text in
            guard !text.isEmpty else { return nil }
            guard let value = Int(text), value > 0 else {
                errors.append(FieldError("before", "must be a positive whole number (the next_before of the previous page)"))
                return nil
            }
            return value
        }
        if !errors.isEmpty { throw .validation(errors) }
    }
}
