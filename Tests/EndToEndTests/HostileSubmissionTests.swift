import ControlAPI
import ControlClient
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Submissions that try to escape, cheat or exhaust: each is contained and reported as a
/// clear failure of that submission only; the daemon and an honest submission carry on.
@Suite("Hostile submissions", .serialized)
struct HostileSubmissionTests {
    static let examples = BuiltProducts.packageRoot.appendingPathComponent("examples/pococha")

    /// The example competition with tight limits, so that the timeout and memory cases are quick
    /// (the time limit is train's: the environment build, by pip, may be slow on a loaded machine);
    /// `configuration` and `wrapper` go to the daemon as `DaemonUnderTest` takes them; with
    /// `images` participant code runs in environment images built from the example's base.
    func daemonWithTightLimits(memory: String = "256MiB", wallTime: String = "8s", configuration: String? = nil,
                               wrapper: [String] = [], images: Bool = false) throws -> DaemonUnderTest {
        let daemon = try DaemonUnderTest(configuration: configuration, wrapper: wrapper)
        if images { try ImageFixture.installBase(into: daemon.stateDirectory) }
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition"), images: images) { text in
            text.replacingOccurrences(of: "default: {wall_time: 10m, memory: 2GiB, processes: 64, cpus: 1}",
                                      with: "default: {wall_time: 300s, memory: \(memory), processes: 32, cpus: 1, output: 64MiB}")
                .replacingOccurrences(of: "train: {wall_time: 20m}", with: "train: {wall_time: \(wallTime)}")
        }
        let day = daemon.root.appendingPathComponent("day")
        let generated = try runCommand("/usr/bin/env", ["python3", Self.examples.appendingPathComponent("generate.py").path,
                                                        "--day", "2026-11-28", "--out", day.path, "--listeners", "200", "--livers", "50"])
        try #require(generated.status == 0, "\(generated.stderr)")
        // A marker beside the labels: a search that finds it has found the labels.
        try "the answers".write(to: day.appendingPathComponent("eval/labels/SECRET-LABELS.txt"), atomically: true, encoding: .utf8)
        try #require(try hekatonctl(["dataset", "register", "pococha-daily", day.path], socket: daemon.socketPath).status == 0)
        let published = try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath)
        try #require(published.status == 0, "\(published.stderr)")
        return daemon
    }

    /// A submission whose Trainer runs `body` (Python, indented 8 spaces) before training nothing.
    func hostile(_ name: String, _ body: String, requirements: String = "", in daemon: DaemonUnderTest) throws -> URL {
        let directory = daemon.root.appendingPathComponent("submissions/\(name)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let source = """
            import hekaton

            class Trainer(hekaton.Trainer):
                def train(self, dataset):
            \(body)
                    (self.model_dir / "model.txt").write_text("nothing")

            class Predictor(hekaton.Predictor):
                def predict(self, batch):
                    return [[] for _ in batch]
            """
        try source.write(to: directory.appendingPathComponent("submission.py"), atomically: true, encoding: .utf8)
        try requirements.write(to: directory.appendingPathComponent("requirements.txt"), atomically: true, encoding: .utf8)
        return directory
    }

    func submit(_ directory: URL, _ daemon: DaemonUnderTest) throws -> Int64 {
        let result = try hekatonctl(["submit", "--competition", "pococha", "--json", directory.path], socket: daemon.socketPath)
        try #require(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode(SubmissionInfo.self, from: Data(result.stdout.utf8)).id
    }

    func waitForEnd(_ id: Int64, _ daemon: DaemonUnderTest) throws -> SubmissionInfo {
        var last: SubmissionInfo?
        try waitUntil("submission \(id) to end", timeout: .seconds(300), poll: .milliseconds(200)) {
            last = try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self)
            return ["scored", "failed", "cancelled"].contains(last!.state)
        }
        return last!
    }

    func log(_ id: Int64, _ stage: String, _ daemon: DaemonUnderTest) throws -> String {
        try hekatonctl(["logs", "\(id)", "--stage", stage], socket: daemon.socketPath).stdout
    }

    /// Where participant code runs: on the host's /usr with a virtual environment, or in an
    /// environment image the daemon builds (when the image tools are here; `ImageFixture`).
    static let systems = ImageFixture.runnable ? ["host", "image"] : ["host"]

    @Test("Each hostile submission fails alone and clearly; an honest one beside them is scored", arguments: systems)
    func contained(on system: String) throws {
        let daemon = try daemonWithTightLimits(configuration: "max_log_bytes: 1048576\n", images: system == "image")
        defer { daemon.stop() }
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        listen(listener, 4)
        let port = Int(UInt16(bigEndian: address.sin_port))

        let cases: [(name: String, body: String, requirements: String, stage: String, evidence: String)] = [
            ("search", """
                    import os
                    found = []
                    for top in ["/", "/tmp", "/hekaton"]:
                        for d, dirs, files in os.walk(top, onerror=lambda e: None):
                            if d.startswith(("/proc", "/sys", "/usr", "/etc", "/dev")): dirs[:] = []; continue
                            found += [os.path.join(d, f) for f in files if f.startswith("SECRET-")]
                    raise RuntimeError(f"SEARCH FOUND {found}")
            """, "", "train", "SEARCH FOUND []"),
            ("network", """
                    import socket
                    s = socket.socket(); s.settimeout(3)
                    raise RuntimeError(f"CONNECT RESULT {s.connect_ex(('127.0.0.1', \(port)))}")
            """, "", "train", "CONNECT RESULT 111"),
            ("escape", """
                    wrote = []
                    for path in ["/hekaton/train/x", "/hekaton/submission/x", "/usr/x", "/etc/x", "/x", "/hekaton/host/x"]:
                        try:
                            open(path, "w").write("x"); wrote.append(path)
                        except OSError:
                            pass
                    raise RuntimeError(f"WROTE {wrote}")
            """, "", "train", "WROTE []"),
            ("forkbomb", """
                    import os
                    n = 0
                    try:
                        while True:
                            if os.fork() == 0:
                                import time; time.sleep(60); os._exit(0)
                            n += 1
                    except OSError as e:
                        raise RuntimeError(f"FORK STOPPED after {n}")
            """, "", "train", "FORK STOPPED"),
            ("memory", """
                    blocks = [bytearray(64 << 20) for _ in range(64)]
            """, "", "train", ""),
            ("sleeper", """
                    import time
                    time.sleep(600)
            """, "", "train", ""),
            ("diskfill", """
                    chunk = b"x" * (1 << 20)
                    with open(self.model_dir / "huge.bin", "wb") as f:
                        for _ in range(400):
                            f.write(chunk); f.flush()
                    raise RuntimeError("DISK FILL FINISHED")
            """, "", "train", "wrote more than 64 MiB to its output"),
            ("logflood", """
                    import sys
                    for i in range(24000):
                        print(f"flood line {i:06d} " + "y" * 100)
                    raise RuntimeError("LOG FLOOD DONE")
            """, "", "train", ""),
            ("requirements", "        pass", "hekaton-no-such-package-anywhere==9.9.9\n", "build", "hekaton-no-such-package-anywhere"),
            ("raises", """
                    raise ValueError("my model diverged")
            """, "", "train", "ValueError: my model diverged"),
        ] + (system == "image" ? [("image", """
                    import os, sys
                    raise RuntimeError(f"IN THE IMAGE {sys.prefix} {os.path.exists('/usr/bin/bwrap')}")
            """, "", "train", "IN THE IMAGE /opt/hekaton/env False")] : [])
        // Another participant's bundle, with a file the search must never see.
        let other = daemon.root.appendingPathComponent("submissions/other")
        try FileManager.default.copyItem(at: Self.examples.appendingPathComponent("submissions/popularity"), to: other)
        try "their code".write(to: other.appendingPathComponent("SECRET-\(UUID().uuidString).txt"), atomically: true, encoding: .utf8)
        let otherID = try submit(other, daemon)
        var ids: [String: Int64] = [:]
        for c in cases {
            ids[c.name] = try submit(try hostile(c.name, c.body, requirements: c.requirements, in: daemon), daemon)
        }
        let honest = try submit(Self.examples.appendingPathComponent("submissions/popularity"), daemon)

        for c in cases {
            let ended = try waitForEnd(ids[c.name]!, daemon)
            #expect(ended.state == "failed", "\(c.name) ended \(ended.state)")
            #expect(ended.stage == c.stage, "\(c.name) failed in \(ended.stage ?? "-")")
            if !c.evidence.isEmpty {
                let text = try log(ended.id, c.stage, daemon)
                let job = try ended.jobs[c.stage].map { try daemon.client.call("GET", "/v1/jobs/\($0)", as: JobInfo.self) }
                #expect(text.contains(c.evidence), "\(c.name): log '\(text.suffix(800))'; job: \(job.map { "\($0.state) \($0.error ?? "")" } ?? "-")")
            }
        }
        let sleeper = try daemon.client.call("GET", "/v1/jobs/\(try #require(waitForEnd(ids["sleeper"]!, daemon).jobs["train"]))", as: JobInfo.self)
        #expect(sleeper.error?.contains("time limit") == true, "\(sleeper.error ?? "")")
        let memory = try waitForEnd(ids["memory"]!, daemon)
        #expect(memory.error?.contains("memory") == true || memory.logTail?.contains("MemoryError") == true, "\(memory.error ?? "") \(memory.logTail ?? "")")

        let flood = try log(ids["logflood"]!, "train", daemon)
        #expect(flood.utf8.count <= 1 << 20, "the flooded log is \(flood.utf8.count) bytes")
        #expect(flood.contains("this log passed its limit of 1048576 bytes"), "\(flood.prefix(300))")
        let filler = try daemon.client.call("GET", "/v1/jobs/\(try #require(waitForEnd(ids["diskfill"]!, daemon).jobs["train"]))", as: JobInfo.self)
        #expect(filler.state == "dead", "a stage that overran its output is not tried again")
        #expect(filler.error?.contains("wrote more than 64 MiB to its output") == true, "\(filler.error ?? "")")

        var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        #expect(poll(&poller, 1, 100) == 0, "no sandbox reached the host's listener")
        #expect(try waitForEnd(otherID, daemon).state == "scored")
        let scored = try waitForEnd(honest, daemon)
        #expect(scored.state == "scored", "\(scored.error ?? "") \(scored.logTail ?? "")")

        // The limits the sandbox enforced are counted for the hosts' monitoring.
        let (_, body) = try daemon.client.raw("GET", "/metrics")
        let metrics = String(decoding: body, as: UTF8.self)
        #expect(metrics.contains(#"hekaton_sandbox_limits_hit_total{limit="processes",stage="train"}"#), "the fork bomb hit pids.max: \(metrics)")
        #expect(metrics.contains(#"hekaton_sandbox_limits_hit_total{limit="time",stage="train"}"#), "the sleeper ran out of time")
        if memory.error?.contains("ran out of memory") == true {
            #expect(metrics.contains(#"hekaton_sandbox_limits_hit_total{limit="memory",stage="train"}"#), "the OOM killer acted")
        }
        #expect(try daemon.client.call("GET", "/v1/status", as: StatusResponse.self).pid == daemon.pid)
        try daemon.expectHealthyStore()
    }
}
