import DevStack
import Foundation

/// Where guildgate-dev is: next to the binaries it starts (`swift build` puts them together), inside the checkout
/// whose nginx/ and templates/ the stack uses.
enum ProgramLocation {
    /// The directory of guildgate-dev itself.
    static var binaries: String {
        (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath().deletingLastPathComponent()
            .path
    }

    /// The checkout guildgate-dev was built in (the first directory above it with nginx/guildgate.conf.in and
    /// templates/), else the working directory if it is a checkout.
    static func repository() throws(StackError) -> String {
        var directory = URL(fileURLWithPath: binaries)
        while directory.path != "/" {
            if StackOptions.isCheckout(directory.path) { return directory.path }
            directory.deleteLastPathComponent()
        }
        let current = FileManager.default.currentDirectoryPath
        guard StackOptions.isCheckout(current) else {
            throw StackError("no GuildGate checkout (nginx/guildgate.conf.in, templates/) above \(binaries) or here: pass --repository DIR")
        }
        return current
    }

}
