import Execution
import Foundation
@testable import Pipeline
import Scheduler
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// What bubblewrap is given to run a stage on an image's root filesystem: the image's
/// system, nothing of the host's, and a root that is not a system refused before anything runs.
@Suite("Image roots for the sandbox")
struct ImageSystemTests {
    let root = "/tmp/hk-image-system-\(UUID().uuidString.prefix(8))"

    /// A root filesystem's skeleton: Debian's merged /usr, what the sandbox makes itself, a file.
    func skeleton(varTmp: Bool = true) throws -> String {
        let rootfs = root + "/bundle/rootfs"
        for directory in ["usr/bin", "usr/lib", "etc", "opt", "proc", "dev", "sys", "tmp", "run", "hekaton"] + (varTmp ? ["var/tmp"] : ["var/lib"]) {
            try FileManager.default.createDirectory(atPath: rootfs + "/" + directory, withIntermediateDirectories: true)
        }
        for (link, target) in [("bin", "usr/bin"), ("lib", "usr/lib"), ("sbin", "/usr/sbin")] {
            try FileManager.default.createSymbolicLink(atPath: rootfs + "/" + link, withDestinationPath: target)
        }
        _ = FileManager.default.createFile(atPath: rootfs + "/.dockerenv", contents: Data())
        chmod(root, 0o755)
        chmod(root + "/bundle", 0o755)
        return rootfs
    }

    func argv(_ image: ImageSystem) -> [String] {
        let spec = SandboxSpec(mounts: [.init(source: root, target: "/hekaton/input"), .init(source: root, target: "/hekaton/output", writable: true)],
                               environment: ["PATH": "/usr/bin"], workingDirectory: "/hekaton/input", uid: 4242, limits: .defaults, image: image)
        return Bubblewrap.argv(spec, command: ["python3", "-c", "pass"])
    }

    /// Each `flag`'s operands, in order.
    static func operands(_ argv: [String], _ flag: String, count: Int = 2) -> [[String]] {
        argv.indices.filter { argv[$0] == flag && $0 + count < argv.count }.map { Array(argv[($0 + 1)...($0 + count)]) }
    }

    @Test("The image's top-level directories are bound read-only and its links made again; nothing of the host's system is")
    func binds() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let rootfs = try skeleton()
        let argv = argv(try ImageSystem(root: rootfs, othersMustReach: true))
        let binds = Self.operands(argv, "--ro-bind")
        #expect(binds == [[rootfs + "/etc", "/etc"], [rootfs + "/opt", "/opt"], [rootfs + "/usr", "/usr"], [rootfs + "/var", "/var"],
                          [root, "/hekaton/input"]], "\(binds)")
        #expect(Self.operands(argv, "--symlink") == [["usr/bin", "/bin"], ["usr/lib", "/lib"], ["/usr/sbin", "/sbin"]])
        #expect(Self.operands(argv, "--tmpfs", count: 1) == [["/tmp"], ["/var/tmp"]])
        #expect(!argv.contains { $0.hasPrefix(rootfs + "/") && ["proc", "dev", "sys", "tmp", "run", "hekaton", ".dockerenv"].contains(($0 as NSString).lastPathComponent) })
        // The containment of today's sandbox, unchanged.
        #expect(argv.starts(with: [Bubblewrap.setpriv, "--reuid=4242", "--regid=4242", "--clear-groups", "--inh-caps=-all"]))
        for flag in ["--unshare-all", "--die-with-parent", "--new-session", "--clearenv"] { #expect(argv.contains(flag), "\(flag)") }
        #expect(!argv.contains("--share-net"))
        let remount = try #require(argv.firstIndex(of: "--remount-ro"))
        #expect(argv[remount + 1] == "/")
        #expect(argv.lastIndex(of: "--bind").map { $0 < remount } == true, "the root turns read-only after every mount point is made")
    }

    @Test("An image without /var/tmp gets no tmpfs there: its /var is read-only and cannot take a mount point")
    func noVarTmp() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let image = try ImageSystem(root: try skeleton(varTmp: false), othersMustReach: false)
        #expect(!image.varTmp)
        #expect(Self.operands(argv(image), "--tmpfs", count: 1) == [["/tmp"]])
        let rootfs = image.root
        try FileManager.default.removeItem(atPath: rootfs + "/var")
        #expect(try ImageSystem(root: rootfs, othersMustReach: false).varTmp, "no /var at all: bubblewrap makes /var/tmp in its own root")
        try FileManager.default.createSymbolicLink(atPath: rootfs + "/var", withDestinationPath: "usr/lib")
        #expect(try !ImageSystem(root: rootfs, othersMustReach: false).varTmp, "a /var that leads elsewhere may be read-only")
    }

    @Test("A root that is missing, not a directory, holds no system or that the sandbox uid cannot reach is refused")
    func refused() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let rootfs = try skeleton()
        func refusal(_ path: String, reach: Bool = false) -> SandboxError? {
            do { _ = try ImageSystem(root: path, othersMustReach: reach); return nil } catch { return error }
        }
        #expect(refusal(root + "/nowhere")?.message.contains("\(root)/nowhere does not exist") == true)
        #expect(refusal("relative/rootfs")?.code == .image)
        #expect(refusal(rootfs + "/.dockerenv")?.message.contains("is not a directory") == true)
        #expect(refusal(rootfs + "/etc")?.message.contains("has neither /usr nor /bin") == true)
        #expect(refusal(rootfs + "/etc")?.code == .image)
        chmod(root + "/bundle", 0o700)
        #expect(refusal(rootfs, reach: true)?.code == .unreachable)
        #expect(refusal(rootfs, reach: true)?.message.contains("\(root)/bundle (mode 0700") == true)
        #expect(refusal(rootfs, reach: false) == nil, "a daemon that is not root runs stages as itself")
    }
}

/// The sandbox on a real image: Debian's python3 from `scripts/base-image`, unpacked by umoci.
/// The containment tests of `SandboxTests` run on it too (their `image` cases).
@Suite("Stages inside an environment image", .serialized, .enabled(if: ImageRootFixture.available, Comment(rawValue: ImageRootFixture.hint)))
struct ImageSandboxTests {
    @Test("The image root is made: the containment tests of SandboxTests run on it")
    func fixture() throws {
        let rootfs = try ImageRootFixture.rootfs
        #expect(FileManager.default.isExecutableFile(atPath: rootfs + "/usr/bin/python3"))
        #expect(SandboxTests.systems.contains(.image))
    }

    @Test("The image's python runs, on the image's /etc and libraries; nothing of the host's system is there")
    func imageSystem() throws {
        let sandbox = try SandboxTests()
        defer { try? FileManager.default.removeItem(at: sandbox.root) }
        let rootfs = try ImageRootFixture.rootfs
        let result = try sandbox.run("""
            import hashlib, os, sys
            import hekaton_image_marker
            print('MARKER', hekaton_image_marker.WHERE)
            print('PREFIX', sys.prefix, os.path.realpath(sys.executable))
            print('ETC', open('\(ImageRootFixture.marker)').read().strip())
            for name in ['/etc/passwd', '/etc/ssl/certs/ca-certificates.crt']:
                print('HASH', name, hashlib.sha256(open(name, 'rb').read()).hexdigest())
            print('HOST', [p for p in ['/usr/bin/bwrap', '/usr/bin/buildah', '/opt/swift', '/etc/hekaton-instances', '/root/.cache'] if os.path.exists(p)])
            print('SHELL', os.popen('/bin/sh -c "echo via-sh"').read().strip())
            for line in open('/proc/self/mountinfo'):
                fields = line.split()
                if fields[4] == '/usr': print('USR MOUNT', fields[5])
            print('NNP', [l.split()[1] for l in open('/proc/self/status') if l.startswith('NoNewPrivs')])
            """, on: .image)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("MARKER image"), "the image's site-packages: \(result.output)")
        #expect(result.output.contains("PREFIX /usr /usr/bin/python3.11"), "\(result.output)")
        #expect(result.output.contains("ETC the test image sha256:"), "\(result.output)")
        for name in ["/etc/passwd", "/etc/ssl/certs/ca-certificates.crt"] {
            let hash = try ChildProcess.run("/usr/bin/sha256sum", [rootfs + name]).text.prefix(64)
            #expect(result.output.contains("HASH \(name) \(hash)"), "\(name) is the image's: \(result.output)")
        }
        #expect(result.output.contains("HOST []"), "\(result.output)")
        #expect(result.output.contains("SHELL via-sh"), "/bin, a link into the image's /usr, works: \(result.output)")
        // A setuid program in a participant's image grants nothing: no new privileges, nosuid mounts.
        #expect(result.output.contains("USR MOUNT ro,nosuid,nodev"), "\(result.output)")
        #expect(result.output.contains("NNP ['1']"), "\(result.output)")
    }

    @Test("The time limit stops a stage in an image, and nothing it started lingers")
    func timeLimit() async throws {
        let sandbox = try SandboxTests()
        defer { try? FileManager.default.removeItem(at: sandbox.root) }
        let marker = "62.\(Int.random(in: 100_000...999_999))"
        let started = sandbox.output.appendingPathComponent("started").path
        let argv = Bubblewrap.argv(try sandbox.spec(on: .image), command: ["/bin/sh", "-c", "sleep \(marker) & touch /hekaton/output/started; wait"])
        let job = Job(id: 1, argv: argv, workingDirectory: "/", notBefore: Date(), createdAt: Date())
        let stop = ExecutionStop()
        let executor = LocalExecutor(configuration: LocalExecutorConfiguration(gracePeriod: .milliseconds(300)))
        async let result = executor.run(job, context: ExecutionContext(logURL: sandbox.root.appendingPathComponent("time.log"), stop: stop))
        let deadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: started), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let log = { (try? String(contentsOf: sandbox.root.appendingPathComponent("time.log"), encoding: .utf8)) ?? "" }
        #expect(FileManager.default.fileExists(atPath: started), "the stage started in the image: \(log())")
        #expect(SandboxTests.running(marker))
        stop.request(.timeout)
        let ended = try await result
        #expect(ended.stoppedBy == .timeout && ended.timedOut)
        let gone = ContinuousClock.now + .seconds(10)
        while SandboxTests.running(marker), ContinuousClock.now < gone { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!SandboxTests.running(marker), "the stage's sleep ended with it")
    }
}
