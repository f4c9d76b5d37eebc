import Foundation
import TestSupport

/// The Pococha example's competition directory, as the tests copy it.
///
/// The example runs its participants' code in environment images (`images:`) and ships its
/// nightly artifact as a runnable image built on them (`artifact.oci`). Most suites test
/// something else (access rules, automation, hostile clients), and an image build per daemon
/// would only slow them: they take the example on virtual environments, `ExampleManifest.onVirtualEnvironments`.
/// The image suites keep the sections and give the daemon its base (`ImageFixture.installBase`).
enum ExampleCompetition {
    static let directory = BuiltProducts.packageRoot.appendingPathComponent("examples/pococha/competition")

    /// A copy of the example at `destination`, its manifest passed through `edit`; without
    /// `images`, on virtual environments.
    @discardableResult
    static func copy(to destination: URL, images: Bool = false, edit: (String) -> String = { $0 }) throws -> URL {
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: directory, to: destination)
        let manifest = destination.appendingPathComponent("hekaton.yaml")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        try edit(images ? text : ExampleManifest.onVirtualEnvironments(text)).write(to: manifest, atomically: true, encoding: .utf8)
        return destination
    }
}

extension DaemonUnderTest {
    /// A daemon (`socket_mode: "0666"` plus `configuration`) with one day of generated
    /// Pococha data registered as `pococha-daily`, for tests that publish the example.
    static func withPocochaDay(configuration: String = "", listeners: Int, livers: Int) throws -> DaemonUnderTest {
        let daemon = try DaemonUnderTest(configuration: "socket_mode: \"0666\"\n" + configuration)
        let day = daemon.root.appendingPathComponent("day")
        _ = try runCommand("/usr/bin/env", ["python3", AccessRuleTests.examples.appendingPathComponent("generate.py").path,
                                            "--day", "2026-11-28", "--out", day.path, "--listeners", "\(listeners)", "--livers", "\(livers)"])
        let registered = try hekatonctl(["dataset", "register", "pococha-daily", day.path], socket: daemon.socketPath)
        guard registered.status == 0 else {
            daemon.stop()
            throw SlurmCluster.CommandFailed(what: "hekatonctl dataset register", output: registered.stderr)
        }
        return daemon
    }
}
