import Foundation
import Images
import Testing

/// A build's command in a unit of its own, as a daemon under systemd stores it. The runner
/// script runs here against stand-ins for `systemd-run` and `systemctl` that record their
/// arguments (PID 1 on this machine is not systemd); scripts/test-systemd builds images
/// through the real ones, under the packaged unit, in the VM.
@Suite("Environment builds in a unit of their own")
struct ImageBuildUnitTests {
    static let limits = ImageBuild.UnitLimits(memoryBytes: 4 << 30, tasks: 4096, cpus: 2, wallTimeSeconds: 900)

    static func build() throws -> [String] {
        let recipe = EnvironmentRecipe.requirements(Array("numpy>=1.24\n".utf8), base: EnvironmentKeyTests.base)
        return ImageBuild.argv(ImageStore(stateDirectory: "/s"), recipe, context: "/s/runs/7/bundle", caBundle: nil)
    }

    @Test("The unit's command carries the build's own, its key, its unit and a clean-up that stops the unit first")
    func shapes() throws {
        let build = try Self.build()
        let hex = build[5]
        let unit = ImageBuild.unitName(hex: hex, submissionID: 7)
        #expect(unit == "hekaton-image-build-\(hex.prefix(16))-7.service")
        let inUnit = ImageBuild.inUnit(build, unit: unit, limits: Self.limits)
        #expect(ImageBuild.isImageBuild(inUnit))
        #expect(ImageBuild.buildArgv(inUnit) == build)
        #expect(ImageBuild.key(of: inUnit) == ImageBuild.key(of: build))
        #expect(ImageBuild.unitName(of: inUnit) == unit)
        #expect(ImageBuild.unitName(of: build) == nil)
        // Wrapping a wrapped command wraps the build once.
        #expect(ImageBuild.inUnit(inUnit, unit: unit, limits: Self.limits) == inUnit)

        var clean = build
        clean[3] = "clean"
        #expect(ImageBuild.cleanArgv(build) == clean)
        let cleanInUnit = try #require(ImageBuild.cleanArgv(inUnit))
        #expect(cleanInUnit[3] == unit)
        #expect(cleanInUnit[2].contains("systemctl stop"))
        #expect(Array(cleanInUnit[4...]) == clean)
        #expect(!ImageBuild.isImageBuild(["/bin/sh", "-c", "echo", "build"]))
        #expect(ImageBuild.cleanArgv(["python3", "-m", "venv", "/x"]) == nil)
    }

    @Test("Builds run in a unit when systemd started the daemon, or when HEKATON_IMAGE_BUILDS says so")
    func detection() {
        #expect(ImageBuild.Runner.detect(["HEKATON_IMAGE_BUILDS": "unit"]) == .unit)
        #expect(ImageBuild.Runner.detect(["HEKATON_IMAGE_BUILDS": "direct", "INVOCATION_ID": "x"]) == .direct)
        #expect(ImageBuild.Runner.detect([:]) == .direct)
        let systemd = FileManager.default.fileExists(atPath: "/run/systemd/system")
        #expect(ImageBuild.Runner.detect(["INVOCATION_ID": "0123"]) == (systemd ? .unit : .direct))
    }

    static func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hk-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// A directory of stand-ins that append their arguments, one per line, to `calls`.
    static func tools(_ directory: URL, runSeconds: Int) throws {
        let calls = directory.appendingPathComponent("calls").path
        let systemctl = "#!/bin/sh\necho \"systemctl $*\" >> '\(calls)'\n"
        let arguments = directory.appendingPathComponent("arguments").path
        let run = "#!/bin/sh\nprintf '%s\\0' \"$@\" > '\(arguments)'\necho started >> '\(calls)'\nsleep \(runSeconds)\necho built\n"
        for (name, text) in [("systemctl", systemctl), ("systemd-run", run)] {
            let url = directory.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
    }

    /// The runner as a child with `path` as its PATH and its output in `output`: its pid.
    static func runner(_ argv: [String], path: String, output: URL) throws -> pid_t {
        FileManager.default.createFile(atPath: output.path, contents: nil)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_APPEND, 0)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments = argv.map { strdup($0) } + [nil]
        let environment = [strdup("PATH=" + path), nil]
        defer { (arguments + environment).forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, argv[0], &actions, nil, arguments, environment)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EINVAL) }
        return pid
    }

    static func exitStatus(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    static func lines(_ url: URL) -> [String] {
        ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    static func waitFor(_ what: String, seconds: Double = 30, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else { throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "timed out waiting for \(what)"]) }
            usleep(20_000)
        }
    }

    @Test("The runner stops what an earlier attempt left, runs the build with its limits, and passes the build's status on")
    func runs() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.tools(directory, runSeconds: 0)
        let build = try Self.build()
        let unit = ImageBuild.unitName(hex: build[5], submissionID: 7)
        let output = directory.appendingPathComponent("out")
        let process = try Self.runner(ImageBuild.inUnit(build, unit: unit, limits: Self.limits),
                                      path: directory.path + ":/usr/bin:/bin", output: output)
        #expect(Self.exitStatus(process) == 0)
        #expect(Self.lines(output) == ["built"])
        let calls = Self.lines(directory.appendingPathComponent("calls"))
        #expect(calls.prefix(2) == ["systemctl stop \(unit)", "systemctl reset-failed \(unit)"])
        let written = try String(contentsOf: directory.appendingPathComponent("arguments"), encoding: .utf8)
        let run = written.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(run.contains("--unit=\(unit)"))
        #expect(run.contains("--pipe") && run.contains("--wait") && run.contains("--collect"))
        for property in ["MemoryMax=\(4 << 30)", "TasksMax=4096", "CPUQuota=200%", "RuntimeMaxSec=960", "MemorySwapMax=0"] {
            #expect(run.contains(property), "missing -p \(property)")
        }
        let separator = try #require(run.firstIndex(of: "--"))
        #expect(Array(run[(separator + 1)...]) == build)
    }

    @Test("A stopped build job stops its unit; without systemd-run the build does not run and says why")
    func stops() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.tools(directory, runSeconds: 60)
        let build = try Self.build()
        let unit = ImageBuild.unitName(hex: build[5], submissionID: 9)
        let argv = ImageBuild.inUnit(build, unit: unit, limits: Self.limits)
        let calls = directory.appendingPathComponent("calls")
        let process = try Self.runner(argv, path: directory.path + ":/usr/bin:/bin", output: directory.appendingPathComponent("out"))
        try Self.waitFor("the unit to start") { Self.lines(calls).contains("started") }
        kill(process, SIGTERM)
        #expect(Self.exitStatus(process) == 143)
        #expect(Self.lines(calls).filter { $0 == "systemctl stop \(unit)" }.count == 2)

        let empty = directory.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let output = directory.appendingPathComponent("missing")
        let missing = try Self.runner(argv, path: empty.path, output: output)
        #expect(Self.exitStatus(missing) == 78)
        #expect(Self.lines(output).joined().contains("systemd-run is missing"))
    }
}
