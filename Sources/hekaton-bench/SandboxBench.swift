import ArgumentParser
import Foundation
import Pipeline

extension HekatonBench {
    /// What a stage's start costs on an image's root filesystem against the host's /usr and
    /// /etc: the daemon's own bubblewrap argv (`Bubblewrap.argv`) running `python3 -c pass`,
    /// the two alternating so that both see the same load.
    struct SandboxBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sandbox",
            abstract: "Start-up of a sandboxed python3 on the host's system and on an unpacked image's root filesystem.")

        @Option(help: "An unpacked image's root filesystem (umoci unpack's BUNDLE/rootfs).")
        var image: String

        @Option(help: "How many runs on each system.")
        var runs = 20

        @Option(help: "The uid the sandboxes run as (as root; the daemon gives each submission its own).")
        var uid: UInt32 = 231_000

        func validate() throws {
            guard runs > 0 else { throw ValidationError("--runs must be positive") }
        }

        func run() throws {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hk-bench-sandbox-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: scratch + "/output", withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            chmod(scratch, 0o755)
            let uid = geteuid() == 0 ? uid : nil
            if let uid { chown(scratch + "/output", uid, uid) }
            func spec(_ image: ImageSystem?) -> SandboxSpec {
                SandboxSpec(mounts: [.init(source: scratch, target: "/hekaton/host"),
                                     .init(source: scratch + "/output", target: "/hekaton/output", writable: true)],
                            environment: ["PATH": "/usr/bin:/bin", "HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1"],
                            workingDirectory: "/hekaton/host", uid: uid, limits: .defaults, image: image)
            }
            let systems: [(name: String, argv: [String])] = [
                ("host /usr", Bubblewrap.argv(spec(nil), command: ["python3", "-c", "pass"])),
                ("image", Bubblewrap.argv(spec(try ImageSystem(root: image, othersMustReach: uid != nil)), command: ["python3", "-c", "pass"])),
            ]
            print("sandbox: \(systems[1].argv.joined(separator: " "))")
            var seconds: [[Double]] = systems.map { _ in [] }
            let clock = ContinuousClock()
            // One unmeasured run each: the first start reads the files into the page cache.
            for round in -1..<runs {
                for (index, system) in systems.enumerated() {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: system.argv[0])
                    process.arguments = Array(system.argv.dropFirst())
                    process.standardOutput = FileHandle.nullDevice
                    process.standardError = FileHandle.nullDevice
                    let began = clock.now
                    try process.run()
                    process.waitUntilExit()
                    let elapsed = began.duration(to: clock.now)
                    guard process.terminationStatus == 0 else {
                        throw ValidationError("python3 -c pass on \(system.name) exited with \(process.terminationStatus): \(system.argv.joined(separator: " "))")
                    }
                    if round >= 0 {
                        seconds[index].append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
                    }
                }
            }
            for (index, system) in systems.enumerated() {
                let sorted = seconds[index].sorted()
                let mean = sorted.reduce(0, +) / Double(sorted.count)
                let p90 = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.9).rounded(.up)) - 1)]
                let figures = [("median", sorted[sorted.count / 2]), ("mean", mean), ("p90", p90), ("min", sorted[0]), ("max", sorted[sorted.count - 1])]
                print("sandbox: \(system.name), \(sorted.count) runs: " + figures.map { "\($0.0) \(String(format: "%.1f", $0.1 * 1000)) ms" }.joined(separator: ", "))
            }
        }
    }
}
