// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "hekaton",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hekatond", targets: ["hekatond"]),
        .executable(name: "hekatonctl", targets: ["hekatonctl"]),
        .executable(name: "hekaton-bench", targets: ["hekaton-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // C shims over system libraries, found through pkg-config.
        .systemLibrary(name: "CSystemd", path: "Sources/CSystemd", pkgConfig: "libsystemd",
                       providers: [.apt(["libsystemd-dev"])]),
        // Swift Concurrency's global-executor hooks, which the runtime does not export to Swift.
        .target(name: "CConcurrencyHooks"),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),

        // What several modules need alike: open files that name their path in errors, symbolic links
        // kept inside a tree, and the one canonical JSON for hashed bytes. No Foundation, no GRDB, no OpenSSL.
        .target(name: "HekatonSupport", dependencies: [
            .product(name: "SystemPackage", package: "swift-system"),
        ], swiftSettings: strict),
        // Streaming SHA-256 through OpenSSL; apart from HekatonSupport so the CLI, which never hashes, does not load libcrypto.
        .target(name: "HekatonHashing", dependencies: ["CCrypto", "HekatonSupport"], swiftSettings: strict),

        // YAML read strictly: unknown keys and wrong types are errors with file, line and a suggestion.
        .target(name: "StrictYAML", dependencies: [.product(name: "Yams", package: "Yams")], swiftSettings: strict),

        // Wire types shared by the daemon and the control tool, the version, and where both look for the socket.
        .target(name: "ControlAPI", swiftSettings: strict),
        // HTTP/1.1 over a Unix socket.
        .target(name: "ControlClient", dependencies: ["ControlAPI"], swiftSettings: strict),

        // Cron expressions and durations as people write them: pure computation, no storage.
        .target(name: "Cron", swiftSettings: strict),

        .target(name: "Scheduler", dependencies: [
            "Cron",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: strict),
        .target(name: "Lineage", dependencies: [
            "HekatonSupport", "HekatonHashing",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], swiftSettings: strict),

        // Real child processes: process groups, logs, resource usage, kill on timeout.
        .target(name: "Execution", dependencies: [
            "Scheduler",
            .product(name: "NIOPosix", package: "swift-nio"),
        ], swiftSettings: strict),

        // The cluster executor: jobs handed to Slurm (sbatch, scontrol, scancel) over a shared state directory.
        .target(name: "Cluster", dependencies: ["Scheduler", "Execution"], swiftSettings: strict),

        // A participant's directory as a bundle: .hekatonignore, safety checks, a tar stream.
        .target(name: "SubmissionBundle", dependencies: ["HekatonSupport"], swiftSettings: strict),

        // OCI image layouts: a base image plus one layer, written content-addressed.
        .target(name: "OCILayout", dependencies: ["HekatonSupport", "HekatonHashing", "SubmissionBundle"], swiftSettings: strict),

        // Environment images: base images, builds without a daemon (buildah), unpacked roots.
        .target(name: "Images", dependencies: ["HekatonSupport", "HekatonHashing"], swiftSettings: strict),

        // Competitions: manifests, the pipeline's stages, the sandbox, promotion.
        .target(name: "Pipeline", dependencies: [
            "Cron", "Scheduler", "Lineage", "Execution", "StrictYAML", "SubmissionBundle", "OCILayout", "Images",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: strict),

        // Telling people: events delivered to webhooks (JSON signed with HMAC-SHA256, or
        // Slack's incoming-webhook text), at least once, in order, across restarts.
        .target(name: "Notifications", dependencies: [
            "Scheduler", "HekatonHashing",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),

        // The daemon's parts: configuration, the HTTP server, systemd, wiring; run as services.
        .target(name: "HekatonDaemon", dependencies: [
            "ControlAPI", "Cron", "Scheduler", "Lineage", "Execution", "Cluster", "Pipeline", "StrictYAML", "SubmissionBundle", "CSystemd",
            "Notifications", "HekatonSupport", "CConcurrencyHooks",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Mustache", package: "swift-mustache"),
        ], swiftSettings: strict),

        .executableTarget(name: "hekatond", dependencies: [
            "ControlAPI", "HekatonDaemon",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        // A release hekatonctl is one static executable: without a dynamic loader and its
        // libraries to map, a status call costs about as much CPU as squeue's. It calls no NSS
        // function (getpwnam and the like), which a static glibc could only half provide.
        .executableTarget(name: "hekatonctl", dependencies: [
            "ControlAPI", "ControlClient", "Cron", "SubmissionBundle",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict, linkerSettings: [
            .unsafeFlags(["-static-executable"], .when(configuration: .release)),
            // FoundationEssentials' own parts, which its autolink entries leave out of a static link.
            .linkedLibrary("_FoundationCollections", .when(configuration: .release)),
            .linkedLibrary("_FoundationCShims", .when(configuration: .release)),
            .linkedLibrary("_FoundationICU", .when(configuration: .release)),
            .linkedLibrary("stdc++", .when(configuration: .release)),
            .linkedLibrary("m", .when(configuration: .release)),
        ]),

        .executableTarget(name: "hekaton-bench", dependencies: [
            "Cron", "Scheduler", "Lineage", "Execution", "Pipeline", "ControlAPI", "ControlClient", "TestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),

        // What several test targets share: running a tool to completion.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),

        .testTarget(name: "HekatonSupportTests", dependencies: ["HekatonSupport", "HekatonHashing"], swiftSettings: strict),
        .testTarget(name: "ControlAPITests", dependencies: ["ControlAPI", "ControlClient"], swiftSettings: strict),
        .testTarget(name: "CronTests", dependencies: ["Cron"], swiftSettings: strict),
        .testTarget(name: "SchedulerTests", dependencies: ["Scheduler"], swiftSettings: strict),
        .testTarget(name: "LineageTests", dependencies: ["Lineage", "TestSupport"], resources: [.copy("Resources")], swiftSettings: strict),
        .testTarget(name: "ExecutionTests", dependencies: ["Execution", "Scheduler"], swiftSettings: strict),
        .testTarget(name: "ClusterTests", dependencies: ["Cluster", "Scheduler"], swiftSettings: strict),
        .testTarget(name: "SubmissionBundleTests", dependencies: ["SubmissionBundle", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "ImagesTests", dependencies: ["Images"], swiftSettings: strict),
        .testTarget(name: "OCILayoutTests", dependencies: ["OCILayout", "HekatonSupport", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "PipelineTests", dependencies: [
            "Pipeline", "Images", "Execution", "Lineage", "OCILayout", "Scheduler", "StrictYAML", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: strict),
        .testTarget(name: "HekatonDaemonTests", dependencies: [
            "HekatonDaemon", "ControlAPI", "Lineage", "Pipeline", "Scheduler", "StrictYAML",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], swiftSettings: strict),
        .testTarget(name: "hekatonctlTests", dependencies: [
            "hekatonctl",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        .testTarget(name: "EndToEndTests", dependencies: [
            "ControlAPI", "ControlClient", "Images", "TestSupport",
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ],
                    resources: [.copy("Resources")], swiftSettings: strict),
    ]
)
