import ControlAPI
import ControlClient
import Foundation
import Testing

/// Environments built as images with the real buildah, umoci and skopeo: from requirements.txt
/// or a submission's Dockerfile, reused by key, recorded in lineage, refused or failed with the
/// line named, and nothing left in the store after a failure or a crash. (The stages after
/// the build run inside the image on another branch; here only the build is asserted.)
@Suite("Environment images end to end", .serialized, .enabled(if: ImageFixture.runnable, ImageFixture.skipReason))
struct ImageBuildEndToEndTests {
    let pipeline = PipelineEndToEndTests()

    /// A daemon with the example competition in image mode and the example base image.
    func imageDaemon(build: String = "{wall_time: 10m, memory: 4GiB}") throws -> DaemonUnderTest {
        try #require(ImageFixture.toolsPresent, ImageFixture.skipReason)
        let daemon = try pipeline.competitionDaemon(manifestAddition: """

            images:
              base: hk-python
              allowed: [hk-python]
              build: \(build)

            """)
        try ImageFixture.installBase(into: daemon.stateDirectory)
        return daemon
    }

    func bundle(_ daemon: DaemonUnderTest, _ name: String, dockerfile: String?, requirements: String? = nil) throws -> URL {
        let directory = daemon.root.appendingPathComponent("bundles/\(name)")
        try FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: PipelineEndToEndTests.examples.appendingPathComponent("submissions/popularity"), to: directory)
        if let requirements {
            let file = directory.appendingPathComponent("requirements.txt")
            try? FileManager.default.removeItem(at: file)
            try requirements.write(to: file, atomically: true, encoding: .utf8)
        }
        if let dockerfile {
            try dockerfile.write(to: directory.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
        }
        return directory
    }

    /// Waits for the submission's build job to end and returns it.
    func buildJob(of submission: SubmissionInfo, _ daemon: DaemonUnderTest, timeout: Duration = .seconds(600)) throws -> JobInfo {
        let id = try #require(submission.jobs["build"])
        var job: JobInfo?
        try waitUntil("the build job \(id) to end (last: \(job?.state ?? "-"))", timeout: timeout, poll: .milliseconds(250)) {
            job = try daemon.client.call("GET", "/v1/jobs/\(id)", as: JobInfo.self)
            return ["succeeded", "failed", "dead", "cancelled", "upstream_failed"].contains(job!.state)
        }
        return job!
    }

    func buildLog(_ submission: SubmissionInfo, _ daemon: DaemonUnderTest) throws -> String {
        try hekatonctl(["logs", "\(submission.id)", "--stage", "build"], socket: daemon.socketPath).stdout
    }

    func submission(_ id: Int64, _ daemon: DaemonUnderTest) throws -> SubmissionInfo {
        try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self)
    }

    /// The build run's lineage, as `hekatonctl lineage run:ID --downstream --format json` prints it.
    func environmentNode(_ daemon: DaemonUnderTest) throws -> (text: String, json: [String: Any])? {
        for run in 1...20 {
            let json = try hekatonctl(["lineage", "run:\(run)", "--downstream", "--format", "json"], socket: daemon.socketPath)
            guard json.status == 0, json.stdout.contains("\"build run #") else { continue }
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let nodes = try #require(object["nodes"] as? [[String: Any]])
            let environment = try #require(nodes.first { ($0["kind"] as? String) == "environment" })
            let text = try hekatonctl(["lineage", "run:\(run)", "--downstream"], socket: daemon.socketPath).stdout
            return (text, try #require(environment["record"] as? [String: Any]))
        }
        return nil
    }

    @Test("A requirements-only submission builds an image; lineage shows its digest; the same requirements again reuse it")
    func requirementsImage() throws {
        let daemon = try imageDaemon()
        defer { daemon.stop() }
        // Pococha's requirements, installed from PyPI (through the host's proxy and its certificates).
        let first = try pipeline.submit(try bundle(daemon, "first", dockerfile: nil, requirements: "numpy>=1.24\n"), tag: "first", daemon)
        let built = try buildJob(of: first, daemon)
        #expect(built.state == "succeeded", "\((try? buildLog(first, daemon)) ?? "")")
        let store = ImageFixture.Store(state: daemon.stateDirectory)
        let records = try store.records()
        try #require(records.count == 1, "one environment record")
        let record = records[0]
        #expect(record["fromDockerfile"] as? Bool == false)
        let manifest = try #require(record["manifestDigest"] as? String)
        #expect((record["environment"] as? [String])?.contains { $0.hasPrefix("PATH=/opt/hekaton/env/bin:") } == true)
        let environment = store.root + "/rootfs/" + manifest.dropFirst(7) + "/rootfs/opt/hekaton/env"
        #expect(FileManager.default.fileExists(atPath: environment + "/bin/python3"))
        let sitePackages = try FileManager.default.contentsOfDirectory(atPath: environment + "/lib").first.map { environment + "/lib/" + $0 + "/site-packages" }
        #expect(sitePackages.map { FileManager.default.fileExists(atPath: $0 + "/numpy/__init__.py") } == true, "numpy installed in the image")
        #expect(try store.references() == ["env-" + (record["key"] as! String).dropFirst(7)])
        #expect(try store.leftovers() == [], "no .partial, no working container, no image left in buildah's storage")

        let lineage = try #require(try environmentNode(daemon), "a build run in lineage")
        #expect(lineage.json["image_digest"] as? String == manifest)
        #expect(lineage.text.contains("image \(manifest)"), "\(lineage.text)")

        let second = try pipeline.submit(try bundle(daemon, "second", dockerfile: nil, requirements: "numpy>=1.24\n"), tag: "second", daemon)
        let reused = try buildJob(of: second, daemon)
        #expect(reused.state == "succeeded")
        if second.jobs["build"] != first.jobs["build"] {
            #expect(try buildLog(second, daemon).contains("already built; reusing it"))
        }
        #expect(try store.records().count == 1, "no second build")
        #expect(try store.references().count == 1)
    }

    @Test("A Dockerfile builds; a FROM outside the list is refused at submission; a failing RUN names its line and leaves nothing")
    func dockerfiles() throws {
        let daemon = try imageDaemon()
        defer { daemon.stop() }
        let store = ImageFixture.Store(state: daemon.stateDirectory)

        let refused = try hekatonctl(["submit", "--competition", "pococha", "--json",
                                      try bundle(daemon, "debian", dockerfile: "# mine\nFROM hk-python AS one\nFROM debian:bookworm\n").path],
                                     socket: daemon.socketPath)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("Dockerfile line 3: FROM 'debian:bookworm' is not allowed; this competition's images are: hk-python"), "\(refused.stderr)")
        // Without the base, nothing can be built: the host is told how to add it.
        let bases = daemon.stateDirectory + "/bases"
        try FileManager.default.moveItem(atPath: bases, toPath: bases + ".away")
        let baseless = try hekatonctl(["submit", "--competition", "pococha", "--json", try bundle(daemon, "baseless", dockerfile: nil).path],
                                      socket: daemon.socketPath)
        try FileManager.default.moveItem(atPath: bases + ".away", toPath: bases)
        #expect(baseless.status != 0)
        #expect(baseless.stderr.contains("the base image 'hk-python' is not there") && baseless.stderr.contains("scripts/base-image \(bases)/hk-python"),
                "\(baseless.stderr)")
        let none = try daemon.client.call("GET", "/v1/submissions?limit=100", as: SubmissionList.self)
        #expect(none.submissions.isEmpty, "nothing stored for a refused Dockerfile or a missing base")

        let failing = try pipeline.submit(try bundle(daemon, "failing", dockerfile: """
            FROM hk-python
            # a comment
            RUN echo starting \\
              && false
            """), tag: "failing", daemon)
        let failed = try buildJob(of: failing, daemon)
        #expect(failed.state != "succeeded")
        let info = try pipeline.waitForEnd(failing.id, daemon)
        #expect(info.state == "failed")
        #expect(info.error?.contains("the environment build failed at Dockerfile line 3 (RUN echo starting && false): exit status 1; see `hekatonctl logs \(failing.id) --stage build`") == true,
                "\(info.error ?? "")")
        #expect(try store.records().isEmpty)
        #expect(try store.references().isEmpty)
        #expect(try store.rootfs().isEmpty)
        #expect(try store.leftovers() == [])

        let good = try pipeline.submit(try bundle(daemon, "good", dockerfile: """
            FROM hk-python
            RUN python3 -m venv /opt/hekaton/env && echo made-by-dockerfile > /etc/hekaton-note
            ENV PATH=/opt/hekaton/env/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
            WORKDIR /work
            """), tag: "good", daemon)
        let built = try buildJob(of: good, daemon)
        #expect(built.state == "succeeded", "\((try? buildLog(good, daemon)) ?? "")")
        let record = try #require(try store.records().first)
        #expect(record["fromDockerfile"] as? Bool == true)
        #expect(record["workingDir"] as? String == "/work")
        let manifest = try #require(record["manifestDigest"] as? String)
        let note = store.root + "/rootfs/" + manifest.dropFirst(7) + "/rootfs/etc/hekaton-note"
        #expect((try? String(contentsOfFile: note, encoding: .utf8)) == "made-by-dockerfile\n")
        #expect(try store.leftovers() == [])
    }

    @Test("A RUN step runs as an unprivileged uid on the host and sees and signals only the build's own processes")
    func runStepContained() throws {
        let daemon = try imageDaemon()
        defer { daemon.stop() }
        let store = ImageFixture.Store(state: daemon.stateDirectory)
        // A sleeper outside the build, which a RUN step sharing the host's processes could kill.
        let outside = Process()
        outside.executableURL = URL(fileURLWithPath: "/bin/sleep")
        outside.arguments = ["600"]
        try outside.run()
        defer { outside.terminate() }
        let hostile = try pipeline.submit(try bundle(daemon, "hostile", dockerfile: """
            FROM hk-python
            RUN test "$(ls /proc | grep -c '^[0-9]')" -lt 20 && echo few-processes-visible
            RUN echo "root is host uid $(awk '$1 == 0 {print $2}' /proc/self/uid_map)"
            RUN kill -9 -1; sleep 5
            """), tag: "hostile", daemon)
        let info = try pipeline.waitForEnd(hostile.id, daemon)
        #expect(info.state == "failed")
        // The step kills the build's own buildah too (same unprivileged uid, same namespace), so
        // which line failed may go unsaid; that the build failed, and nothing else died, may not.
        #expect(info.error?.contains("the environment build failed") == true, "\(info.error ?? "")")
        let log = try buildLog(hostile, daemon)
        #expect(log.contains("few-processes-visible"))
        // Rootless: the build's root is the unprivileged hekaton-build on the host, never uid 0.
        let builder = try runCommand("/usr/bin/id", ["-u", "hekaton-build"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!builder.isEmpty && builder != "0" && log.contains("root is host uid \(builder)"), "\(log.suffix(1500))")
        #expect(outside.isRunning, "a process outside the build survived its kill -9 -1")
        #expect(kill(daemon.pid, 0) == 0, "the daemon survived")
        #expect(try store.records().isEmpty)
        #expect(try store.leftovers() == [])
    }

    @Test("A build over its wall time is stopped with a clear error and leaves nothing")
    func overTime() throws {
        let daemon = try imageDaemon(build: "{wall_time: 5s}")
        defer { daemon.stop() }
        let store = ImageFixture.Store(state: daemon.stateDirectory)
        let slow = try pipeline.submit(try bundle(daemon, "slow", dockerfile: "FROM hk-python\nRUN sleep 120\n"), tag: "slow", daemon)
        let info = try pipeline.waitForEnd(slow.id, daemon, timeout: .seconds(300))
        #expect(info.state == "failed")
        #expect(info.error?.contains("the environment build ran over its time limit (5s, images.build.wall_time in hekaton.yaml) and was stopped") == true,
                "\(info.error ?? "")")
        #expect(try store.records().isEmpty)
        #expect(try store.references().isEmpty)
        #expect(try store.rootfs().isEmpty)
        #expect(try store.leftovers() == [])
    }

    @Test("kill -9 during a build, restart: exactly one image and no half-written layout or root")
    func crashDuringBuild() throws {
        // The first daemon owns the scratch directory: it stays alive until the end.
        let first = try imageDaemon()
        let store = ImageFixture.Store(state: first.stateDirectory)
        let slow = try pipeline.submit(try bundle(first, "slow", dockerfile: """
            FROM hk-python
            RUN echo building-slowly && sleep 6 && echo done > /etc/hekaton-note
            """), tag: "slow", first)
        try waitUntil("the build to reach its RUN step", timeout: .seconds(120), poll: .milliseconds(100)) {
            try buildLog(slow, first).contains("building-slowly")
        }
        first.signal(SIGKILL)
        _ = try first.waitForExit()
        try? FileManager.default.removeItem(atPath: first.notify.path)
        let daemon = try DaemonUnderTest(root: first.root)
        defer {
            daemon.stop()
            withExtendedLifetime(first) {}
        }
        let job = try buildJob(of: slow, daemon)
        #expect(job.state == "succeeded", "\((try? buildLog(slow, daemon)) ?? "")")
        #expect(try store.records().count == 1)
        #expect(try store.references().count == 1)
        #expect(try store.rootfs().count == 1)
        #expect(try store.leftovers() == [])
    }
}

/// The example base image, made once per test run with `scripts/base-image`, and what a
/// state directory's image store holds.
enum ImageFixture {
    static let tools = ["buildah", "umoci", "skopeo", "mmdebstrap", "flock"]
    static let required = ProcessInfo.processInfo.environment["HEKATON_REQUIRE_IMAGES"] == "1"
    static let toolsPresent = getuid() == 0 && tools.allSatisfy { tool in
        ["/usr/bin/", "/usr/sbin/", "/usr/local/bin/"].contains { FileManager.default.isExecutableFile(atPath: $0 + tool) }
    }
    /// Missing tools skip the suite, unless HEKATON_REQUIRE_IMAGES=1 makes them a failure.
    static let runnable = toolsPresent || required
    static let skipReason: Comment = "environment images need root and \(tools.joined(separator: ", ")) (apt-get install buildah umoci skopeo mmdebstrap uidmap); HEKATON_REQUIRE_IMAGES=1 fails instead of skipping"

    /// The base layout, made once per run in one place every run reuses (the script keeps
    /// an existing layout), so that runs leave no copies behind.
    static let base: Result<String, any Error> = Result(catching: {
        let directory = "/tmp/hekaton-test-bases/hk-python"
        let made = try runCommand(BuiltProducts.packageRoot.appendingPathComponent("scripts/base-image").path, [directory])
        guard made.status == 0 else { throw TimedOut(what: "scripts/base-image: \(made.stderr)", timeout: .zero) }
        return directory
    })

    /// STATE/bases/hk-python, hard links to the run's base.
    static func installBase(into state: String) throws {
        let base = try self.base.get()
        try FileManager.default.createDirectory(atPath: state + "/bases", withIntermediateDirectories: true)
        let copied = try runCommand("/bin/cp", ["-al", base, state + "/bases/hk-python"])
        try #require(copied.status == 0, "\(copied.stderr)")
    }

    struct Store {
        let state: String
        var root: String { state + "/images" }

        func records() throws -> [[String: Any]] {
            let directory = root + "/environments"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            return try names.sorted().map { name in
                let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
                return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(name)")
            }
        }

        /// The references in the shared layout.
        func references() throws -> [String] {
            guard let data = FileManager.default.contents(atPath: root + "/oci/index.json") else { return [] }
            let index = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            return (index["manifests"] as? [[String: Any]] ?? []).compactMap {
                ($0["annotations"] as? [String: Any])?["org.opencontainers.image.ref.name"] as? String
            }
        }

        func rootfs() throws -> [String] {
            (try? FileManager.default.contentsOfDirectory(atPath: root + "/rootfs")) ?? []
        }

        /// What a build must not leave: unfinished roots and records, work directories,
        /// buildah working containers, and built images in buildah's storage.
        func leftovers() throws -> [String] {
            var found = try rootfs().filter { $0.hasSuffix(".partial") }
            found += ((try? FileManager.default.contentsOfDirectory(atPath: root + "/environments")) ?? []).filter { $0.hasSuffix(".tmp") }
            found += (try? FileManager.default.contentsOfDirectory(atPath: root + "/work")) ?? []
            // Each build's buildah storage lives in its work directory, gone with it.
            return found
        }
    }
}
