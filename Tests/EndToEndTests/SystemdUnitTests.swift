import Foundation
import Testing

@Suite("The systemd units")
struct SystemdUnitTests {
    @Test("systemd-analyze verify accepts hekatond.service and hekatond.socket")
    func verify() throws {
        let root = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let units = BuiltProducts.packageRoot.appendingPathComponent("systemd")
        // verify insists that ExecStart= names an executable: point it at the built daemon.
        let service = try String(contentsOf: units.appendingPathComponent("hekatond.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/hekatond", with: BuiltProducts.hekatond)
        try service.write(to: root.appendingPathComponent("hekatond.service"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: units.appendingPathComponent("hekatond.socket"),
                                         to: root.appendingPathComponent("hekatond.socket"))
        let result = try runCommand("/usr/bin/systemd-analyze", ["verify",
                                                                 root.appendingPathComponent("hekatond.service").path,
                                                                 root.appendingPathComponent("hekatond.socket").path])
        #expect(result.status == 0, "systemd-analyze verify: \(result.stderr)")
        #expect(!result.stderr.contains("hekatond"), "no warnings about our units: \(result.stderr)")
    }

    @Test("The service is Type=notify with the reload, watchdog and directories the daemon relies on")
    func serviceShape() throws {
        let service = try String(contentsOf: BuiltProducts.packageRoot.appendingPathComponent("systemd/hekatond.service"), encoding: .utf8)
        for line in ["Type=notify", "ExecReload=", "WatchdogSec=", "Restart=on-failure", "StateDirectory=hekaton",
                     "RuntimeDirectory=hekaton", "RuntimeDirectoryPreserve=yes"] {
            #expect(service.contains(line), "missing \(line)")
        }
        // These would stop bubblewrap from building participants' sandboxes.
        for line in ["RestrictNamespaces=yes", "PrivateUsers=yes", "NoNewPrivileges=yes", "SystemCallFilter="] {
            #expect(!service.contains(line), "\(line) breaks sandboxing of child processes")
        }
        // A read-only /sys/fs/cgroup would refuse every stage: its limits need a control group.
        #expect(!service.contains("ProtectControlGroups=yes"))
    }

    @Test("sysusers.d and tmpfiles.d snippets parse")
    func snippets() throws {
        let root = BuiltProducts.packageRoot.appendingPathComponent("systemd")
        let sysusers = try runCommand("/usr/bin/systemd-sysusers", ["--dry-run", root.appendingPathComponent("sysusers.d/hekaton.conf").path])
        #expect(sysusers.status == 0, "\(sysusers.stderr)")
        // tmpfiles resolves the group inside --root, so the scratch root gets its own /etc/group.
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("etc"), withIntermediateDirectories: true)
        try "root:x:0:0:root:/root:/bin/sh\n".write(to: scratch.appendingPathComponent("etc/passwd"), atomically: true, encoding: .utf8)
        try "root:x:0:\nhekaton:x:995:\n".write(to: scratch.appendingPathComponent("etc/group"), atomically: true, encoding: .utf8)
        let tmpfiles = try runCommand("/usr/bin/systemd-tmpfiles", ["--create", "--root", scratch.path,
                                                                    root.appendingPathComponent("tmpfiles.d/hekaton.conf").path])
        #expect(tmpfiles.status == 0, "\(tmpfiles.stderr)")
        let state = try FileManager.default.attributesOfItem(atPath: scratch.appendingPathComponent("var/lib/hekaton").path)
        #expect((state[.posixPermissions] as? NSNumber)?.intValue == 0o711)
        #expect((state[.groupOwnerAccountID] as? NSNumber)?.intValue == 995)
    }
}
