/// Discord's ids (snowflakes) as people paste them: 17 to 20 decimal digits.
public enum DiscordID {
    public static func isValid(_ text: String) -> Bool {
        (17...20).contains(text.utf8.count) && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// What one looks like and how to copy one, for messages about a wrong one.
    public static let howToCopy = "17 to 20 digits (Discord: Settings → Advanced → Developer Mode, then right-click → Copy ID)"
}
