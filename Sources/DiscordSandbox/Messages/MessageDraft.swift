import JSONSupport
import NIOCore
import WireFormats

/// A file of a create-message request, before it is stored.
struct DraftFile {
    /// The `n` of its `files[n]` part, which `attachments[].id` refers to.
    let index: Int
    var filename: String
    var description: String?
    let contentType: String
    /// A slice of the request body.
    let bytes: ByteBuffer

    /// A filename fit for a URL path segment: no path separators or control characters.
    static func sanitized(_ filename: String) -> String {
        let cleaned = String(filename.map { $0 == "/" || $0 == "\\" || $0.unicodeScalars.contains { $0.value < 0x20 } ? "_" : $0 })
        return cleaned.isEmpty ? "unknown" : cleaned
    }
}

/// The body of a request that may carry files (docs: `resources/message` "Create Message"): JSON, or `multipart/form-data` with the JSON
/// in a `payload_json` part and files in `files[n]` parts (any part with a filename counts as a file).
struct MessageRequestBody {
    let payload: JSON
    let files: [DraftFile]

    init(_ request: SandboxRequest) throws(HTTPError) {
        switch request.mediaType {
        case "application/json":
            payload = try JSON(discordBody: request.body)
            files = []
        case "multipart/form-data":
            guard let boundary = request.headers.first(name: "content-type").flatMap(MultipartParser.boundary) else {
                throw HTTPError.badRequest
            }
            let body: MultipartBody
            do {
                body = try MultipartBody(request.body, boundary: boundary)
            } catch {
                throw HTTPError.badRequest
            }
            var payload: JSON = [:]
            var files: [DraftFile] = []
            for part in body.parts {
                if part.name == "payload_json" {
                    payload = try JSON(discordBody: part.body)
                } else if let filename = part.filename {
                    files.append(
                        DraftFile(
                            index: Self.fileIndex(partName: part.name) ?? files.count,
                            filename: DraftFile.sanitized(filename),
                            description: nil,
                            contentType: part.contentType ?? "application/octet-stream",
                            bytes: part.body
                        )
                    )
                }
            }
            self.payload = payload
            self.files = files
        default:
            throw HTTPError.contentTypeInvalid
        }
    }

    /// `files[3]` → 3.
    private static func fileIndex(partName: String) -> Int? {
        guard partName.hasPrefix("files["), partName.hasSuffix("]") else { return nil }
        return Int(partName.dropFirst("files[".count).dropLast())
    }
}

/// A message as a request asks for it: to create (a channel message, an interaction response or follow-up)
/// or, merged with the message it edits, to edit. Reading it checks the shape; `validate` Discord's limits.
struct MessageDraft {
    /// "Maximum request size when sending a message".
    static let maxRequestSize = 25 * 1024 * 1024
    static let maxContentLength = 2000
    static let maxFiles = 10
    static let maxEmbeds = 10
    static let maxNonceLength = 25
    static let maxDescriptionLength = 1024

    private(set) var content = ""
    private(set) var embeds: [JSON] = []
    private(set) var components: [JSON] = []
    /// A string or an integer.
    private(set) var nonce: JSON?
    private(set) var enforcesNonce = false
    private(set) var tts = false
    private(set) var flags = 0
    private(set) var files: [DraftFile]
    /// `message_reference`: the message this one replies to, as requested.
    private(set) var reference: MessageReference?
    /// `sticker_ids` or `poll` were given: the message is not empty even without content.
    private var hasOtherContent = false

    init(_ request: SandboxRequest) throws(HTTPError) {
        let body = try MessageRequestBody(request)
        try self.init(payload: body.payload, files: body.files)
    }

    init(payload: JSON, files: [DraftFile]) throws(HTTPError) {
        self.files = files
        try read(payload: payload)
    }

    /// The nonce as `enforce_nonce` compares it.
    var nonceKey: String? { nonce?.text }

    var totalFileSize: Int { files.reduce(0) { $0 + $1.bytes.readableBytes } }

    /// Discord's limits, in the order it applies them: file count, file size (413), then the fields.
    func validate(attachmentSizeLimit: Int) throws(HTTPError) {
        guard files.count <= Self.maxFiles else {
            throw HTTPError.invalidFormBody(field: "attachments", code: "BASE_TYPE_MAX_LENGTH", message: "Must be 10 or fewer in length.")
        }
        guard files.allSatisfy({ $0.bytes.readableBytes <= attachmentSizeLimit }) else {
            throw HTTPError.requestEntityTooLarge
        }
        guard content.unicodeScalars.count <= Self.maxContentLength else {
            throw HTTPError.invalidFormBody(field: "content", code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length.")
        }
        guard embeds.count <= Self.maxEmbeds else {
            throw HTTPError.invalidFormBody(field: "embeds", code: "BASE_TYPE_MAX_LENGTH", message: "Must be 10 or fewer in length.")
        }
        if case .string(let nonce)? = nonce, nonce.count > Self.maxNonceLength {
            throw HTTPError.invalidFormBody(field: "nonce", code: "BASE_TYPE_MAX_LENGTH", message: "Must be 25 or fewer in length.")
        }
        for file in files {
            if let description = file.description, description.count > Self.maxDescriptionLength {
                throw HTTPError.invalidFormBody(
                    path: ["attachments", String(file.index), "description"],
                    code: "BASE_TYPE_MAX_LENGTH",
                    message: "Must be 1024 or fewer in length."
                )
            }
        }
        let hasContent = !content.allSatisfy(\.isWhitespace)
        guard hasContent || !embeds.isEmpty || !components.isEmpty || !files.isEmpty || hasOtherContent else {
            throw HTTPError.emptyMessage
        }
    }

    // MARK: - Reading

    private mutating func read(payload: JSON) throws(HTTPError) {
        guard case .object = payload else {
            throw HTTPError.invalidFormBody(path: [], code: "DICT_TYPE_CONVERT", message: "Only dictionaries may be used in a DictType")
        }
        content = try Self.string(payload, "content") ?? ""
        embeds = try Self.array(payload, "embeds") ?? []
        components = try Self.array(payload, "components") ?? []
        switch payload["nonce"] {
        case nil, .null?: nonce = nil
        case .string?: nonce = payload["nonce"]
        case let value? where value.wholeNumber != nil: nonce = value
        default: throw HTTPError.invalidFormBody(field: "nonce", code: "NONCE_TYPE_INVALID", message: "Nonce must be an integer or string.")
        }
        enforcesNonce = try Self.bool(payload, "enforce_nonce") ?? false
        tts = try Self.bool(payload, "tts") ?? false
        let flagsValue = payload["flags"] ?? .null
        guard flagsValue == .null || flagsValue.wholeNumber != nil else {
            throw HTTPError.invalidFormBody(field: "flags", code: "NUMBER_TYPE_COERCE", message: "Value is not int.")
        }
        flags = flagsValue.wholeNumber ?? 0
        let stickers = try Self.array(payload, "sticker_ids") ?? []
        hasOtherContent = !stickers.isEmpty || (payload["poll"].map { if case .object = $0 { true } else { false } } ?? false)
        if let reference = payload["message_reference"], reference != .null {
            self.reference = try MessageReference(requested: reference)
        }
        for (position, reference) in (try Self.array(payload, "attachments") ?? []).enumerated() {
            try describe(reference, at: position)
        }
    }

    /// Applies an `attachments` entry (`{"id": n, "filename"?, "description"?}`) to the file `files[n]`.
    private mutating func describe(_ reference: JSON, at position: Int) throws(HTTPError) {
        guard let index = reference["id"]?.integer else {
            throw HTTPError.invalidFormBody(
                path: ["attachments", String(position), "id"],
                code: "BASE_TYPE_REQUIRED",
                message: "This field is required"
            )
        }
        guard let fileIndex = files.firstIndex(where: { $0.index == index }) else { return }
        if case .string(let filename)? = reference["filename"] { files[fileIndex].filename = DraftFile.sanitized(filename) }
        if case .string(let description)? = reference["description"] { files[fileIndex].description = description }
    }

    private static func string(_ payload: JSON, _ field: String) throws(HTTPError) -> String? {
        switch payload[field] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw HTTPError.invalidFormBody(field: field, code: "BASE_TYPE_STRING", message: "Must be a string.")
        }
    }

    private static func bool(_ payload: JSON, _ field: String) throws(HTTPError) -> Bool? {
        switch payload[field] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        default: throw HTTPError.invalidFormBody(field: field, code: "BASE_TYPE_BOOLEAN", message: "Must be either true or false.")
        }
    }

    private static func array(_ payload: JSON, _ field: String) throws(HTTPError) -> [JSON]? {
        switch payload[field] {
        case nil, .null?: return nil
        case .array(let elements)?: return elements
        default:
            throw HTTPError.invalidFormBody(field: field, code: "LIST_TYPE_CONVERT", message: "Only iterables may be used in a ListType")
        }
    }

}
