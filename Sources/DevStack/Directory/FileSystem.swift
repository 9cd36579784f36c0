import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The file operations of the stack, failing with errors that name the path.
enum FileSystem {
    static func makeDirectory(_ path: String) throws(StackError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw StackError("cannot create \(path): \(error.localizedDescription)")
        }
    }

    /// Writes `text` to a new file next to `path` with permissions `mode`, then renames it over `path`, so that
    /// readers see the old file or the whole new one.
    static func save(_ text: String, to path: String, mode: mode_t = 0o644) throws(StackError) {
        let temporary = "\(path).\(getpid()).tmp"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw failure("cannot write \(temporary)") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            let error = failure("cannot write \(path)")
            unlink(temporary)
            throw error
        }
    }

    /// The contents of the file at `path`, nil if it cannot be read.
    static func read(_ path: String) -> String? {
        try? String(contentsOfFile: path, encoding: .utf8)
    }

    /// Deletes `path` and everything under it, if it is there.
    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    private static func failure(_ what: String) -> StackError {
        StackError("\(what): \(String(cString: strerror(errno)))")
    }
}
