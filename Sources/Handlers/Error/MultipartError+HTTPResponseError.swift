import WireFormats

/// A malformed `multipart/form-data` body is the sender's to fix; the parser's description says what is wrong.
extension MultipartError: HTTPResponseError {
    public var status: HTTPStatus { .badRequest }
    public var code: String { "bad_request" }
    public var publicMessage: String { description }
}
