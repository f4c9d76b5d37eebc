import Foundation
@testable import HekatonDaemon
import Testing

/// A path the caller sees and the service does not: the answer names the unit's setting.
@Suite("What the daemon sees under systemd")
struct ServiceViewTests {
    @Test("Paths systemd hides from the service name the setting that hides them",
          arguments: [("/root/data/2026-11-28", "ProtectHome=yes"), ("/home/ada/data", "ProtectHome=yes"),
                      ("/run/user/1000/x", "ProtectHome=yes"), ("/tmp/data", "PrivateTmp=yes"), ("/var/tmp/d", "PrivateTmp=yes")])
    func hidden(path: String, setting: String) throws {
        let view = ServiceView(environment: ["INVOCATION_ID": "0123456789abcdef0123456789abcdef"])
        let detail = view.missing(path)
        #expect(detail.hasPrefix("\(path) does not exist as the daemon sees it: hekatond runs under systemd with \(setting)"), "\(detail)")
        #expect(detail.contains("/srv/hekaton"))
    }

    @Test("Elsewhere, or outside systemd, the answer says only that the path is missing")
    func notHidden() {
        let service = ServiceView(underSystemd: true)
        #expect(service.whyHidden("/srv/hekaton/data") == nil)
        #expect(service.whyHidden("/homework/data") == nil, "a prefix of a component is not the directory")
        #expect(ServiceView(environment: [:]).missing("/root/data") == "/root/data does not exist as the daemon sees it")
    }

    @Test("The configuration file the package installs parses and holds no setting of its own")
    func shippedConfiguration() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("systemd/hekatond.yaml").path
        var configuration = DaemonConfiguration(stateDirectory: "/s", socketPath: "/s.sock")
        let before = configuration
        try configuration.apply(file: file)
        #expect(configuration.configurationFile == file)
        configuration.configurationFile = nil
        #expect(configuration == before, "every key in the shipped file is a comment: the defaults stand")
    }
}
