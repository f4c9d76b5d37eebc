import ControlAPI
import ControlClient
import Foundation
import Testing

@Suite("Publishing competitions")
struct CompetitionEndToEndTests {
    static let example = BuiltProducts.packageRoot.appendingPathComponent("examples/pococha/competition")

    func copyOfExample(_ root: URL) throws -> URL {
        let copy = root.appendingPathComponent("competition")
        try FileManager.default.copyItem(at: Self.example, to: copy)
        return copy
    }

    func publish(_ path: String, _ daemon: DaemonUnderTest) throws -> (status: Int, body: [UInt8]) {
        let body = try JSONEncoder().encode(CompetitionPublishRequest(path: path, tag: nil))
        let (head, answer) = try daemon.client.raw("POST", "/v1/competitions", body: Array(body))
        return (head.status, answer)
    }

    @Test("Publishing the example creates a version; unchanged content creates nothing; a change makes v2")
    func publishVersions() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let directory = try copyOfExample(daemon.root)
        let first = try publish(directory.path, daemon)
        #expect(first.status == 201, "\(String(decoding: first.body, as: UTF8.self))")
        let info = try JSONDecoder().decode(CompetitionInfo.self, from: Data(first.body))
        #expect(info.name == "pococha")
        #expect(info.direction == "maximize")
        #expect(info.tag == "v1")
        let again = try publish(directory.path, daemon)
        #expect(again.status == 200)
        #expect(try JSONDecoder().decode(CompetitionInfo.self, from: Data(again.body)).created == false)
        try "# a note\n".write(to: directory.appendingPathComponent("NOTES.md"), atomically: true, encoding: .utf8)
        let changed = try publish(directory.path, daemon)
        #expect(changed.status == 201)
        let list = try daemon.client.call("GET", "/v1/competitions", as: CompetitionList.self)
        #expect(list.competitions.map(\.tag) == ["v2"])
        #expect(list.competitions.first?.versions == 2)
        try daemon.expectHealthyStore()
    }

    @Test("A bad manifest is rejected with file, line, field and a suggestion, and nothing is published", arguments: [
        ("metric:", "metirc:", "'metirc'", "did you mean 'metric'?"),
        ("direction: maximize", "direction: up", "metric.direction", "use maximize or minimize"),
        ("train: [python3, host/train.py]", "train: [python3, host/trian.py]", "entrypoints.train", "host/trian.py does not exist"),
        ("participant: [host/train.py,", "participant: [host/score.py, host/train.py,", "visibility.participant[0]",
         "participants would see host/score.py, and host/score.py is the score entrypoint's script"),
        ("artifact: [host/artifact.py,", "artifact: [host/world.py, host/artifact.py,", "visibility.artifact[0]",
         "participants would see host/world.py, and host/world.py is private"),
        ("private: [host/world.py,", "private: [host/wrold.py,", "visibility.private[0]",
         "host/wrold.py does not exist in the competition directory"),
    ] as [(String, String, String, String)])
    func badManifest(find: String, replace: String, field: String, suggestion: String) throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let directory = try copyOfExample(daemon.root)
        let manifest = directory.appendingPathComponent("hekaton.yaml")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        try text.replacingOccurrences(of: find, with: replace).write(to: manifest, atomically: true, encoding: .utf8)
        let line = text.replacingOccurrences(of: find, with: replace).split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains(replace) }.map { $0 + 1 }!
        let result = try publish(directory.path, daemon)
        #expect(result.status == 400)
        let problem = try JSONDecoder().decode(Problem.self, from: Data(result.body))
        let detail = problem.detail ?? ""
        #expect(detail.contains("hekaton.yaml:\(line)"), "\(detail)")
        #expect(detail.contains(field), "\(detail)")
        #expect(detail.contains(suggestion), "\(detail)")
        #expect(try daemon.client.call("GET", "/v1/competitions", as: CompetitionList.self).competitions.isEmpty)
        try daemon.expectHealthyStore()
    }

    @Test("Publishing is for hosts")
    func hostsOnly() throws {
        try #require(getuid() == 0, "switching to another uid needs root, as CI runs")
        let daemon = try DaemonUnderTest(configuration: "socket_mode: \"0666\"\n")
        defer { daemon.stop() }
        let body = #"{"path": "\#(Self.example.path)"}"#
        let result = try runCommand("/usr/sbin/runuser", ["-u", "nobody", "--", "/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                                          "--unix-socket", daemon.socketPath, "-X", "POST", "-d", body,
                                                          "http://hekatond/v1/competitions"])
        #expect(result.stdout == "403")
        #expect(try daemon.client.call("GET", "/v1/competitions", as: CompetitionList.self).competitions.isEmpty)
    }
}
