import Foundation
import JSONSupport
import Store
import GuildGateCore
import WireFormats

/// Files stored on Discord: the `/files` page, uploads (form and API), listing, deleting and downloads.
enum FileRoutes {
    static let maxUploadsInProgress = 2

    static func register(on router: inout Router) {
        router.get("/files", .member, page)
        router.post("/files", .member, csrf: .formField, uploadForm)
        router.get("/files/{id}/download", .member, content)
        router.post("/api/files", .member, csrf: .formField, uploadAPI)
        router.get("/api/files", .member, list)
        router.get("/api/files/{id}", .member, show)
        router.delete("/api/files/{id}", .member, csrf: .header, remove)
        router.get("/api/files/{id}/content", .member, content)
    }

    // MARK: - Upload

    private static func uploadForm(_ request: Request, _ context: RequestContext) throws -> Response {
        let file = try receive(request, context, actor: try context.fileActor())
        if request.header("accept")?.contains("application/json") == true { return .json(json(file)) }
        return .redirect(to: "/files", status: .seeOther)
    }

    private static func uploadAPI(_ request: Request, _ context: RequestContext) throws -> Response {
        let file = try receive(request, context, actor: try context.fileActor())
        var response = Response.json(json(file), status: .created)
        response.addHeader("Location", "/api/files/\(file.id)")
        return response
    }

    /// Streams the multipart body into a `FileUpload`. A caller authenticated by the session cookie must send
    /// the `X-CSRF-Token` header or a `csrf_token` field before the file. Users' uploads count against their
    /// quota (`GUILDGATE_USER_QUOTA`, at most `maxUploadsInProgress` at once); admins and the API token are exempt.
    private static func receive(_ request: Request, _ context: RequestContext, actor: FileActor) throws -> StoredFile {
        guard let boundary = request.header("content-type").flatMap(MultipartParser.boundary) else {
            throw HTTPError.unsupportedMediaType(expected: "multipart/form-data with a boundary")
        }
        let maxSize = context.config.maxFileSize
        if let declared = request.header("content-length").flatMap(Int.init), declared > maxSize + 1 << 20 {
            throw HTTPError.payloadTooLarge(limit: maxSize)
        }
        guard let body = request.body else { throw HTTPError.badRequest("The upload has no body.") }
        let csrfRequired = actor.caller.needsCSRFToken
        var csrfVerified = !csrfRequired
        if csrfRequired, request.header("x-csrf-token") != nil {
            try context.requireCSRF(actor.caller)
            csrfVerified = true
        }
        let limits = actor.caller.isAdmin ? nil : FileStore.Limits(quota: context.config.userQuota, maxInProgress: maxUploadsInProgress)
        var parser = MultipartParser(boundary: boundary)
        var upload: FileUpload?
        var field: (name: String, value: [UInt8])?
        var fileDone = false
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        do {
            while true {
                let count = try chunk.withUnsafeMutableBytes { buffer throws(RequestBodyError) in try body.read(into: buffer) }
                if count == 0 { break }
                let events = try chunk.withUnsafeBytes { buffer in try parser.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
                for event in events {
                    switch event {
                    case .part(let headers) where headers.name == "file" && headers.filename != nil:
                        guard upload == nil else { throw HTTPError.badRequest("Send one file per request, in the field \"file\".") }
                        guard csrfVerified else {
                            throw HTTPError.forbidden(
                                "This form has expired or did not come from this site. Reload the page and try again.")
                        }
                        upload = try FileUpload(
                            config: context.config, db: context.db, ownerUserID: actor.caller.userID,
                            name: headers.filename.map(ClientFileName.displayName) ?? "file", contentType: contentType(headers.contentType),
                            declaredSize: request.header("content-length").flatMap(Int.init), limits: limits, logger: context.logger,
                            discord: context.services.environment.discordClientMaker)
                        context.logger.info("upload started", metadata: ["file_id": "\(upload?.fileID ?? 0)"])
                    case .part(let headers):
                        field = (headers.name, [])
                    case .data(let bytes):
                        if let upload, field == nil {
                            try bytes.withUnsafeBytes { try upload.append($0) }
                        } else if field != nil {
                            guard field!.value.count + bytes.count <= 4096 else { throw HTTPError.badRequest("A form field is too long.") }
                            field!.value += bytes
                        }
                    case .partEnd:
                        if let done = field {
                            if done.name == "csrf_token", csrfRequired {
                                try context.requireCSRF(actor.caller, formToken: String(decoding: done.value, as: UTF8.self))
                                csrfVerified = true
                            }
                            field = nil
                        } else if upload != nil {
                            fileDone = true
                        }
                    case .end:
                        continue
                    }
                }
            }
            try parser.finish()
            guard let upload, fileDone else { throw HTTPError.badRequest("The form has no file in the field \"file\".") }
            let file = try upload.finish()
            context.logger.info("upload stored", metadata: ["file_id": "\(file.id)", "size": "\(file.size)", "parts": "\(file.parts)"])
            return file
        } catch {
            let reason = "\(error)"
            upload?.abandon(reason: reason)
            switch error {
            case RequestBodyError.tooSlow:
                context.logger.notice("upload cut off: \(reason)", metadata: ["file_id": "\(upload?.fileID ?? 0)"])
                throw HTTPError.requestTimeout
            case is RequestBodyError:
                context.logger.notice("upload aborted by the client", metadata: ["file_id": "\(upload?.fileID ?? 0)"])
                throw ClientGone()
            default:
                throw error
            }
        }
    }

    /// A part's declared type when it is a plain `type/subtype`; anything else is stored as bytes.
    private static func contentType(_ declared: String?) -> String {
        guard let declared = declared?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased(),
            declared.count <= 100, declared.split(separator: "/").count == 2,
            declared.allSatisfy({ $0.isLetter || $0.isNumber || "/+-.".contains($0) })
        else { return "application/octet-stream" }
        return declared
    }

    // MARK: - Listing and deleting

    private static func list(_ request: Request, _ context: RequestContext) throws -> Response {
        .json(.array(try context.fileActor().access.files(context.db).map(json)))
    }

    private static func show(_ request: Request, _ context: RequestContext) throws -> Response {
        .json(json(try context.accessibleFile(request, try context.fileActor())))
    }

    /// The row goes at once (the file disappears from lists); its messages are deleted by a job.
    private static func remove(_ request: Request, _ context: RequestContext) throws -> Response {
        let file = try context.accessibleFile(request, try context.fileActor())
        try FileStore(context.db).mark(fileID: file.id, state: .deleting, error: nil)
        try JobStore(context.db).enqueue(.filesCleanup(fileID: file.id))
        context.logger.info("file deleted", metadata: ["file_id": "\(file.id)"])
        return Response(status: .noContent)
    }

    static func json(_ file: StoredFile) -> JSON {
        [
            "id": .int(file.id), "name": .string(file.name), "size": .int(file.size),
            "sha256": file.sha256.map { .string(Hex.encode($0)) } ?? .null, "parts": .int(file.parts),
            "stored_parts": .int(file.storedParts), "state": .string(file.state.rawValue),
            "content_type": .string(file.contentType),
            "created_at": file.createdAt.map(ISO8601Timestamp.format).json,
            "download_url": .string("/api/files/\(file.id)/content"),
        ]
    }

    // MARK: - Download

    private static func content(_ request: Request, _ context: RequestContext) throws -> Response {
        let file = try context.accessibleFile(request, try context.fileActor())
        switch file.state {
        case .complete: break
        case .damaged: throw HTTPError.gone("This file is damaged: a stored part failed its integrity check.")
        default: throw HTTPError.conflict("This file is not completely stored.")
        }
        let etag = "\"" + Hex.encode(file.sha256 ?? []) + "\""
        var headers: [(String, String)] = [
            ("ETag", etag), ("Accept-Ranges", "bytes"), ("Content-Type", file.contentType),
            ("Content-Disposition", ContentDisposition.attachment(filename: file.name)),
            ("Content-Security-Policy", "sandbox; default-src 'none'"), ("Cache-Control", "private, no-cache"),
            // Passed through as it is sent: nginx would otherwise spool a download faster than its client
            // reads to a temporary file on disk (up to 1 GiB per download).
            ("X-Accel-Buffering", "no"),
        ]
        if let match = request.header("if-none-match"),
            match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag })
        {
            return Response(status: .notModified, headers: headers.filter { $0.0 == "ETag" || $0.0 == "Cache-Control" })
        }
        var rangeHeader = request.header("range")
        if let condition = request.header("if-range"), condition != etag { rangeHeader = nil }
        let lower: Int
        let upper: Int
        var status = HTTPStatus.ok
        switch ByteRangeRequest.resolve(rangeHeader, length: file.size) {
        case .whole:
            (lower, upper) = (0, file.size - 1)
        case .partial(let first, let last):
            (lower, upper) = (first, last)
            status = .partialContent
            headers.append(("Content-Range", "bytes \(first)-\(last)/\(file.size)"))
        case .unsatisfiable:
            return Response(status: .rangeNotSatisfiable, headers: [("Content-Range", "bytes */\(file.size)")])
        }
        headers.append(("Content-Length", String(max(0, upper - lower + 1))))
        let environment = context.services.environment
        let download: FileDownload
        do {
            download = try FileDownload(
                file: file, parts: try FileStore(context.db).parts(fileID: file.id), keys: context.config.secretKeys,
                attachmentURLs: environment.attachmentURLs, now: environment.clock, logger: context.logger,
                discord: environment.discordClientMaker)
        } catch let keyError as FileKeyError {
            context.logger.error("stored file cannot be opened with the listed secret keys", metadata: ["error": "\(keyError)"])
            throw HTTPError.serviceUnavailable(
                "This file was stored under a secret key this server no longer has; an administrator can restore it by listing that key again."
            )
        }
        let db = context.db
        let logger = context.logger
        return Response(
            status: status, headers: headers,
            body: .stream { writer in
                do {
                    try download.stream(lower: lower, upper: upper) { try writer.write($0) }
                } catch let damage as FilePartError {
                    logger.error(
                        "stored part failed verification; download aborted", metadata: ["file_id": "\(file.id)", "error": "\(damage)"])
                    try? FileStore(db).mark(fileID: file.id, state: .damaged, error: damage.description)
                    throw damage
                }
            })
    }

    // MARK: - Page

    private static func page(_ request: Request, _ context: RequestContext) throws -> Response {
        let files = try context.fileActor().access.files(context.db)
        return try context.render(
            "files",
            [
                "files": files.map { file -> [String: Any] in
                    [
                        "id": file.id, "name": file.name, "size": ByteCount.format(file.size), "state": file.state.rawValue,
                        "complete": file.state == .complete,
                        "created": file.createdAt.map { RelativeTime.ago($0, now: context.now) } ?? "",
                    ]
                },
                "empty": files.isEmpty,
                "max_size": ByteCount.format(context.config.maxFileSize),
                "part_size": PartLayout(attachmentLimit: context.config.discordAttachmentLimit).plainPartSize,
            ])
    }
}
