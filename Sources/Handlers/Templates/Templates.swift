import Foundation
import Mustache

public enum TemplateError: Error, CustomStringConvertible {
    case unreadableDirectory(String)
    case invalidTemplate(name: String, reason: String)
    case missingTemplate(String)

    public var description: String {
        switch self {
        case .unreadableDirectory(let path):
            return "cannot read templates from \(path) (set GUILDGATE_TEMPLATES to the templates/ directory)"
        case .invalidTemplate(let name, let reason): return "template \(name) does not parse: \(reason)"
        case .missingTemplate(let name): return "template \(name).mustache is missing"
        }
    }
}

/// The Mustache templates of `templates/`, loaded once at start-up. Values are HTML-escaped by default.
/// The pages' scripts (`templates/scripts/*.js`) are loaded with them and served from `/scripts/`, so the
/// Content-Security-Policy needs no `'unsafe-inline'` for scripts.
public struct Templates: Sendable {
    private let library: MustacheLibrary
    private let scripts: [String: [UInt8]]

    public init(directory: String) throws(TemplateError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".mustache") }
        } catch {
            throw .unreadableDirectory(directory)
        }
        var library = MustacheLibrary()
        for file in names.sorted() {
            let name = String(file.dropLast(".mustache".count))
            guard let data = FileManager.default.contents(atPath: directory + "/" + file),
                let text = String(data: data, encoding: .utf8)
            else { throw .unreadableDirectory(directory + "/" + file) }
            do {
                try library.register(text, named: name)
            } catch {
                throw .invalidTemplate(name: name, reason: "\(error)")
            }
        }
        self.library = library
        var scripts: [String: [UInt8]] = [:]
        let scriptDirectory = directory + "/scripts"
        for file in (try? FileManager.default.contentsOfDirectory(atPath: scriptDirectory)) ?? [] where file.hasSuffix(".js") {
            guard let data = FileManager.default.contents(atPath: scriptDirectory + "/" + file) else {
                throw .unreadableDirectory(scriptDirectory + "/" + file)
            }
            scripts[file] = Array(data)
        }
        self.scripts = scripts
    }

    /// A page script by file name (`files.js`), or nil.
    public func script(_ name: String) -> [UInt8]? {
        scripts[name]
    }

    public func render(_ name: String, _ context: [String: Any]) throws(TemplateError) -> String {
        guard let html = library.render(context, withTemplate: name) else { throw .missingTemplate(name) }
        return html
    }
}
