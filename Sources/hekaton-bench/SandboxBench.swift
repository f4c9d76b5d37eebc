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

        /// Each run has a uid of its own from here on: sandboxes started back to back under one
        /// uid reach its process rlimit (bubblewrap: "Can't fork for pid 1"), the processes of
        /// the ones just ended still counted for a moment.
        @Option(help: "The first uid the sandboxes run as (as root; the daemon gives each submission its own).")
        var uid: UInt32 = 232_000

        func validate() throws {
            guard runs > 0 else { throw ValidationError("--runs must be positive") }
        }

        func run() throws {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hk-bench-sandbox-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: scratch + "/output", withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            chmod(scratch, 0o755)
            let root = geteuid() == 0
            // The output belongs to no run's uid; none writes to it.
            func spec(_ image: ImageSystem?, uid: UInt32?) -> SandboxSpec {
                SandboxSpec(mounts: [.init(source: scratch, target: "/hekaton/host"),
                                     .init(source: scratch + "/output", target: "/hekaton/output", writable: true)],
                            environment: ["PATH": "/usr/bin:/bin", "HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1"],
                            workingDirectory: "/hekaton/host", uid: uid, limits: .defaults, image: image)
            }
            let imageSystem = try ImageSystem(root: image, othersMustReach: root)
            let systems: [(name: String, argv: (UInt32?) -> [String])] = [
                ("host /usr", { Bubblewrap.argv(spec(nil, uid: $0), command: ["python3", "-c", "pass"]) }),
                ("image", { Bubblewrap.argv(spec(imageSystem, uid: $0), command: ["python3", "-c", "pass"]) }),
            ]
            print("sandbox: \(systems[1].argv(root ? uid : nil).joined(separator: " "))")
            var seconds: [[Double]] = systems.map { _ in [] }
            let clock = ContinuousClock()
            // One unmeasured run each: the first start reads the files into the page cache.
            for round in -1..<runs {
                for (index, system) in systems.enumerated() {
                    let argv = system.argv(root ? uid + UInt32((round + 1) * systems.count + index) : nil)
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: argv[0])
                    process.arguments = Array(argv.dropFirst())
                    process.standardOutput = FileHandle.nullDevice
                    _ = FileManager.default.createFile(atPath: scratch + "/stderr", contents: nil)
                    let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + "/stderr"))
                    process.standardError = errors
                    let began = clock.now
                    try process.run()
                    process.waitUntilExit()
                    let elapsed = began.duration(to: clock.now)
                    try errors.close()
                    guard process.terminationStatus == 0 else {
                        let said = (try? String(contentsOfFile: scratch + "/stderr", encoding: .utf8)) ?? ""
                        throw ValidationError("python3 -c pass on \(system.name) exited with \(process.terminationStatus) (\(said.trimmingCharacters(in: .whitespacesAndNewlines))): \(argv.joined(separator: " "))")
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
