import Crypto

/// Small deterministic files standing in for generated media: the same input always gives the same bytes.
enum FakeMedia {
    /// An "mp3": an empty ID3v2.4 tag, then one MPEG-1 Layer III frame header per 32 characters of `input`,
    /// each followed by 32 bytes of the input's digest.
    static func speech(for input: String) -> [UInt8] {
        var bytes: [UInt8] = Array("ID3".utf8) + [4, 0, 0, 0, 0, 0, 0]
        for index in 0..<max(1, (input.count + 31) / 32) {
            bytes += [0xFF, 0xFB, 0x90, 0x64] + Array(SHA256.hash(data: Array("\(index):\(input)".utf8)))
        }
        return bytes
    }

    /// A valid 8×8 RGB PNG whose pixels come from the prompt's digest.
    static func image(for prompt: String) -> [UInt8] {
        let side = 8
        let digest = Array(SHA256.hash(data: Array(prompt.utf8)))
        var pixels: [UInt8] = []
        for row in 0..<side {
            pixels.append(0)  // filter: none
            for column in 0..<side * 3 { pixels.append(digest[(row * side * 3 + column) % digest.count] ^ UInt8(row * 16)) }
        }
        let header = bigEndian(UInt32(side)) + bigEndian(UInt32(side)) + [8, 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", zlibStored(pixels))
            + chunk("IEND", [])
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeAndData = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + typeAndData + bigEndian(crc32(typeAndData))
    }

    /// A zlib stream of one stored (uncompressed) deflate block; `data` must be under 64 KiB.
    private static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        let length = UInt16(data.count)
        var adlerA: UInt32 = 1
        var adlerB: UInt32 = 0
        for byte in data {
            adlerA = (adlerA + UInt32(byte)) % 65_521
            adlerB = (adlerB + adlerA) % 65_521
        }
        return [0x78, 0x01, 0x01, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)] + data
            + bigEndian(adlerB << 16 | adlerA)
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
