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
        // Documentation= names man pages that only the package installs.
        let result = try runCommand("/usr/bin/systemd-analyze", ["verify", "--man=no",
                                                                 root.appendingPathComponent("hekatond.service").path,
                                                                 root.appendingPathComponent("hekatond.socket").path])
        #expect(result.status == 0, "systemd-analyze verify: \(result.stderr)")
        #expect(!result.stderr.contains("hekatond"), "no warnings about our units: \(result.stderr)")
    }

    @Test("The service is Type=notify with the reload, watchdog, delegation and configuration the daemon relies on")
    func serviceShape() throws {
        let service = try String(contentsOf: BuiltProducts.packageRoot.appendingPathComponent("systemd/hekatond.service"), encoding: .utf8)
        for line in ["Type=notify", "ExecReload=", "WatchdogSec=", "Restart=on-failure", "StateDirectory=hekaton",
                     "Delegate=yes", "Requires=hekatond.socket", "After=network-online.target hekatond.socket",
                     "ExecStart=/usr/local/bin/hekatond --config /etc/hekaton/hekatond.yaml", "ProtectHostname=no"] {
            #expect(service.contains(line), "missing \(line)")
        }
        // These would stop bubblewrap from building participants' sandboxes (scripts/test-systemd
        // runs every stage under this unit; these lines keep an edit from breaking it unnoticed).
        for line in ["RestrictNamespaces=yes", "PrivateUsers=yes", "ProtectHostname=yes"] {
            #expect(!service.contains(line), "\(line) breaks sandboxing of child processes")
        }
        let lines = service.split(separator: "\n").map(String.init)
        let namespaces = lines.first { $0.hasPrefix("RestrictNamespaces=") }.map { Set($0.dropFirst("RestrictNamespaces=".count).split(separator: " ").map(String.init)) }
        #expect(namespaces == ["user", "mnt", "pid", "net", "uts", "ipc", "cgroup"], "bwrap --unshare-all makes these")
        let filter = lines.filter { $0.hasPrefix("SystemCallFilter=") }
        #expect(filter == ["SystemCallFilter=@system-service @mount sethostname"], "bubblewrap mounts and names its sandboxes")
        // systemd chowns a RuntimeDirectory='s contents at each start, dropping the socket's group and ACL.
        #expect(!lines.contains { $0.hasPrefix("RuntimeDirectory") })
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
        try "root:x:0:\nhekaton:x:995:\nhekaton-admin:x:996:\n".write(to: scratch.appendingPathComponent("etc/group"), atomically: true, encoding: .utf8)
        let tmpfiles = try runCommand("/usr/bin/systemd-tmpfiles", ["--create", "--root", scratch.path,
                                                                    root.appendingPathComponent("tmpfiles.d/hekaton.conf").path])
        #expect(tmpfiles.status == 0, "\(tmpfiles.stderr)")
        let state = try FileManager.default.attributesOfItem(atPath: scratch.appendingPathComponent("var/lib/hekaton").path)
        #expect((state[.posixPermissions] as? NSNumber)?.intValue == 0o711)
        // root's group: systemd chowns a StateDirectory= recursively when its owner differs.
        #expect((state[.groupOwnerAccountID] as? NSNumber)?.intValue == 0)
        let data = try FileManager.default.attributesOfItem(atPath: scratch.appendingPathComponent("srv/hekaton").path)
        #expect((data[.posixPermissions] as? NSNumber)?.intValue == 0o2775, "hosts put their data here")
        #expect((data[.groupOwnerAccountID] as? NSNumber)?.intValue == 996)
    }
}
