extension GeneratedImage {
    /// Names the image after its format, read from its first bytes; nil when it is none Discord shows.
    init?(sniffing bytes: [UInt8]) {
        func starts(with prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<offset + prefix.count]) == prefix
        }
        if starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self.init(bytes: bytes, fileName: "image.png", contentType: "image/png")
        } else if starts(with: [0xFF, 0xD8, 0xFF]) {
            self.init(bytes: bytes, fileName: "image.jpg", contentType: "image/jpeg")
        } else if starts(with: Array("RIFF".utf8)), starts(with: Array("WEBP".utf8), at: 8) {
            self.init(bytes: bytes, fileName: "image.webp", contentType: "image/webp")
        } else if starts(with: Array("GIF8".utf8)) {
            self.init(bytes: bytes, fileName: "image.gif", contentType: "image/gif")
        } else {
            return nil
        }
    }
}
