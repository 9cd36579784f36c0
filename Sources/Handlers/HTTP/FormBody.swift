import WireFormats

extension Request {
    /// The fields of a small HTML form, URL-encoded or `multipart/form-data` (a form with a file input: the
    /// file's content is its field's value), each as UTF-8 text.
    func formOrMultipartFields(limit: Int = Request.smallBodyLimit) throws -> [String: String] {
        guard mediaType == "multipart/form-data" else { return try formFields(limit: limit) }
        guard let boundary = header("content-type").flatMap(MultipartParser.boundary(contentType:)) else {
            throw MultipartError.missingBoundary
        }
        let bytes = try collectBody(limit: limit)
        var parser = MultipartParser(boundary: boundary)
        let events = try bytes.withUnsafeBytes { buffer throws(MultipartError) in try parser.feed(buffer) }
        try parser.finish()
        var fields: [String: String] = [:]
        var part: (name: String, bytes: [UInt8])?
        for event in events {
            switch event {
            case .part(let headers): part = (headers.name, [])
            case .data(let chunk): part?.bytes += chunk
            case .partEnd:
                if let part {
                    guard let text = String(validating: part.bytes, as: UTF8.self) else {
                        throw HTTPError.badRequest("The \(part.name) field is not UTF-8 text.")
                    }
                    fields[part.name] = text
                }
                part = nil
            case .end: break
            }
        }
        return fields
    }
}
