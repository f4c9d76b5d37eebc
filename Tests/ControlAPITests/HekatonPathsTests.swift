import ControlAPI
import Testing

@Suite("Default paths")
struct HekatonPathsTests {
    @Test("Root uses the system locations")
    func root() {
        let paths = HekatonPaths.daemonDefaults(environment: ["XDG_RUNTIME_DIR": "/run/user/0"], euid: 0)
        #expect(paths.stateDirectory == "/var/lib/hekaton")
        #expect(paths.socketPath == "/run/hekaton/hekatond.sock")
        #expect(HekatonPaths.clientSocketCandidates(environment: [:], euid: 0) == ["/run/hekaton/hekatond.sock"])
    }

    @Test("Other users get XDG locations, with fallbacks")
    func user() {
        let xdg = HekatonPaths.daemonDefaults(environment: ["XDG_STATE_HOME": "/x/state", "XDG_RUNTIME_DIR": "/run/user/7"], euid: 7)
        #expect(xdg.stateDirectory == "/x/state/hekaton")
        #expect(xdg.socketPath == "/run/user/7/hekaton/hekatond.sock")
        let bare = HekatonPaths.daemonDefaults(environment: ["HOME": "/home/u"], euid: 7)
        #expect(bare.stateDirectory == "/home/u/.local/state/hekaton")
        #expect(bare.socketPath == "/tmp/hekaton-7/hekatond.sock")
        #expect(HekatonPaths.clientSocketCandidates(environment: ["XDG_RUNTIME_DIR": "/run/user/7"], euid: 7)
                == ["/run/user/7/hekaton/hekatond.sock", "/run/hekaton/hekatond.sock"])
    }

    @Test("systemd's directories win, the first of several")
    func systemd() {
        let paths = HekatonPaths.daemonDefaults(environment: ["STATE_DIRECTORY": "/var/lib/hekaton:/var/lib/other",
                                                              "RUNTIME_DIRECTORY": "/run/hekaton"], euid: 0)
        #expect(paths.stateDirectory == "/var/lib/hekaton")
        #expect(paths.socketPath == "/run/hekaton/hekatond.sock")
    }
}
