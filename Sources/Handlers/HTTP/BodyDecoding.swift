import JSONSupport
import WireFormats

extension Request {
    /// Bodies of forms and JSON requests are small; uploads stream instead.
    public static let smallBodyLimit = 64 * 1024

    /// The body as a JSON object; 415 for another media type, 400 for malformed JSON.
    public func jsonObject(limit: Int = Request.smallBodyLimit) throws(HTTPError) -> JSON {
        guard mediaType == "application/json" else { throw .unsupportedMediaType(expected: "application/json") }
        let bytes = try collectBody(limit: limit)
        guard let json = JSON.parse(bytes) else { throw .badRequest("The body is not valid JSON.") }
        guard case .object = json else { throw .badRequest("The body must be a JSON object.") }
        return json
    }

    /// The body of an HTML form (`application/x-www-form-urlencoded`).
    public func formFields(limit: Int = Request.smallBodyLimit) throws(HTTPError) -> [String: String] {
        guard mediaType == "application/x-www-form-urlencoded" else {
            throw .unsupportedMediaType(expected: "application/x-www-form-urlencoded")
        }
        guard let fields = FormDecoding.decode(try collectBody(limit: limit)) else {
            throw .badRequest("The form is not valid percent-encoded UTF-8.")
        }
        return fields
    }
}
