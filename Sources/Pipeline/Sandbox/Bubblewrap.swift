import Foundation

/// Turns a `SandboxSpec` into the argv that runs a command inside bubblewrap.
///
/// The command runs as an unprivileged uid (through `setpriv`) so that bubblewrap builds an
/// unprivileged user namespace, and files the host keeps root-only stay unreadable. Every
/// namespace is unshared (network included, unless asked for), `--new-session` stops it
/// from injecting keystrokes into a terminal, and the sandbox dies with its parent.
///
/// That parent is a shell of the job's own (`parentScript`), never the daemon: the signal of
/// `--die-with-parent` follows the *thread* that spawned bubblewrap, and the daemon's threads
/// end while their stages run (stages were killed seconds in). The shell lives exactly as
/// long as the job, in its process group: when the job ends, times out or is cancelled, the
/// sandbox ends with it, and nothing it started lingers after its command exits (the
/// sandbox's own session is out of reach of the job's process group).
public enum Bubblewrap {
    public static let executable = "/usr/bin/bwrap"
    public static let setpriv = "/usr/bin/setpriv"

    /// Runs bubblewrap as its child (not `exec`: then the daemon's thread would be its parent
    /// again) and exits with its status.
    static let parentScript = """
        "$@"
        exit "$?"
        """

    public static let prlimit = "/usr/bin/prlimit"

    /// rlimits as a second line of defence behind the control group: processes of the stage's
    /// own uid (each submission has one), CPU seconds per process, and no core files. Each is
    /// kept within the daemon's own hard limit, which an unprivileged process cannot raise.
    static func resourceLimits(_ limits: StageLimits) -> [String] {
        func clamped(_ resource: __rlimit_resource, _ wanted: UInt64) -> String {
            var current = rlimit()
            guard getrlimit(__rlimit_resource_t(resource.rawValue), &current) == 0, current.rlim_max != rlim_t.max else { return "\(wanted)" }
            return "\(min(wanted, UInt64(current.rlim_max)))"
        }
        // A few beyond the group's pids.max: the parent shell and bubblewrap count too.
        let processes = clamped(__RLIMIT_NPROC, UInt64(limits.processes) + 8)
        let cpuSeconds = clamped(RLIMIT_CPU, UInt64(limits.wallTimeSeconds.rounded(.up)) * UInt64(limits.cpus) + 60)
        return [prlimit, "--nproc=\(processes)", "--cpu=\(cpuSeconds)", "--core=0", "--"]
    }

    public static func argv(_ spec: SandboxSpec, command: [String]) -> [String] {
        var argv: [String] = []
        if let uid = spec.uid {
            argv += [setpriv, "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "--inh-caps=-all"]
            argv += resourceLimits(spec.limits)
        }
        argv += ["/bin/sh", "-c", parentScript, "hekaton-sandbox-parent"]
        argv += [executable, "--unshare-all", "--die-with-parent", "--new-session", "--hostname", "sandbox"]
        if spec.network { argv.append("--share-net") }
        if let image = spec.image {
            // The image's system, and nothing of the host's: its directories read-only, its
            // links (merged /usr) made again. The root stays bubblewrap's own tmpfs, so the
            // stage's mount points can be made in it.
            for name in image.directories {
                argv += ["--ro-bind", image.root + "/" + name, "/" + name]
            }
            for link in image.links {
                argv += ["--symlink", link.target, "/" + link.name]
            }
            argv += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
            if image.varTmp { argv += ["--tmpfs", "/var/tmp"] }
        } else {
            for path in spec.systemPaths where FileManager.default.fileExists(atPath: path) {
                argv += ["--ro-bind", path, path]
            }
            // Debian's merged /usr: the top-level directories are links into it.
            for (link, target) in [("/bin", "usr/bin"), ("/sbin", "usr/sbin"), ("/lib", "usr/lib"), ("/lib64", "usr/lib64")]
            where isSymlink(link) {
                argv += ["--symlink", target, link]
            }
            argv += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/var/tmp"]
        }
        for mount in spec.mounts {
            argv += [mount.writable ? "--bind" : "--ro-bind", mount.source, mount.target]
        }
        // bubblewrap's root is a tmpfs; once every mount point exists it becomes read-only.
        argv += ["--remount-ro", "/", "--clearenv"]
        for (name, value) in spec.environment.sorted(by: { $0.key < $1.key }) {
            argv += ["--setenv", name, value]
        }
        argv += ["--chdir", spec.workingDirectory, "--"]
        return argv + command
    }

    static func isSymlink(_ path: String) -> Bool {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil
    }
}
