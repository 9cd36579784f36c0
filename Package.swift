// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "GuildGate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "guildgate-web", targets: ["FCGIApp"]),
        .executable(name: "guildgate-bot", targets: ["BotWorker"]),
        .executable(name: "discord-sandbox", targets: ["DiscordSandbox"]),
        .executable(name: "guildgate-dev", targets: ["GuildGateDev"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "JSONSupport"),
        .target(name: "WireFormats"),
        .target(name: "ProcessSupport"),
        .target(name: "CPosixSpawn"),
        .target(name: "DiscordSandboxDefaults"),
        .target(name: "Store", dependencies: [
            "CLibPQ", "JSONSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "CurlHTTP", dependencies: ["CCurl"]),
        .target(name: "ChatModelKit", dependencies: ["CurlHTTP", "JSONSupport"]),
        .target(name: "DiscordKit", dependencies: [
            "CurlHTTP", "JSONSupport", "WireFormats",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        .target(name: "GuildGateCore", dependencies: [
            "Store", "ChatModelKit", "CurlHTTP", "DiscordKit", "JSONSupport", "ProcessSupport", "WireFormats",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        .target(name: "Handlers", dependencies: [
            "GuildGateCore", "Store", "CurlHTTP", "DiscordKit", "JSONSupport", "WireFormats",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Mustache", package: "swift-mustache"),
        ]),
        .executableTarget(name: "FCGIApp", dependencies: [
            "CFastCGI", "GuildGateCore", "Handlers", "Store", "CurlHTTP", "DiscordKit", "ProcessSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "DiscordGateway", dependencies: [
            "DiscordKit", "JSONSupport", "ProcessSupport",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "WSClient", package: "swift-websocket"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
        ]),
        .executableTarget(name: "BotWorker", dependencies: [
            "Store", "ChatModelKit", "CurlHTTP", "DiscordKit", "DiscordGateway", "GuildGateCore", "JSONSupport", "ProcessSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .executableTarget(name: "DiscordSandbox", dependencies: [
            "DiscordSandboxDefaults", "JSONSupport", "ProcessSupport", "WireFormats",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "DevStack", dependencies: [
            "CPosixSpawn", "DiscordSandboxDefaults", "GuildGateCore", "ProcessSupport", "Store", "WireFormats",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "GuildGateDev", dependencies: [
            "DevStack", "ProcessSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // What both test targets share: the test stack, clients of the web application (through nginx and
        // in-process), raw sockets, fakes and a manual clock.
        .target(
            name: "GuildGateTesting",
            dependencies: [
                "DevStack", "GuildGateCore", "Handlers", "Store", "CurlHTTP", "DiscordKit", "WireFormats",
                .product(name: "Logging", package: "swift-log"),
            ], path: "Tests/GuildGateTesting"),
        .testTarget(
            name: "GuildGateUnitTests",
            dependencies: [
                "GuildGateTesting", "GuildGateCore", "ChatModelKit", "Handlers", "Store", "CurlHTTP", "DiscordKit", "DiscordGateway", "FCGIApp",
                "BotWorker",
                "JSONSupport", "ProcessSupport", "WireFormats", "DiscordSandbox", "DiscordSandboxDefaults", "DevStack", "GuildGateDev",
            ], exclude: ["Fixtures"]),
        .testTarget(
            name: "GuildGateEndToEndTests",
            dependencies: [
                "GuildGateTesting", "GuildGateCore", "Handlers", "Store", "DiscordKit", "DevStack", "FCGIApp", "BotWorker",
                "DiscordSandbox", "GuildGateDev",
            ]),
    ]
)
