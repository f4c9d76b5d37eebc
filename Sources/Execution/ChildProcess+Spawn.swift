import Foundation
import Scheduler

extension ChildProcess {
    /// Starts `executable` in a process group of its own, stdin from `input` (else
    /// /dev/null), stdout to `output` and stderr to `errors` (else `output` too), with exactly
    /// `environment`, in `workingDirectory`, with default signal handling and no blocked
    /// signals whatever the daemon set for itself.
    static func spawn(
        executable: String, argv: [String], environment: [String: String], workingDirectory: String, output: Int32,
        errors: Int32? = nil, input: Int32? = nil
    ) throws(ExecutionError) -> ChildProcess {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        // Ignored signals stay ignored across exec (a daemon ignores SIGPIPE): reset them all.
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        var flags = Int32(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        #if canImport(Darwin)
        flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input {
            posix_spawn_file_actions_adddup2(&actions, input, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, errors ?? output, 2)
        #if canImport(Glibc)
        guard let addChdir = PosixSpawnExtensions.addChdir else {
            throw ExecutionError(.spawnFailed, "this C library lacks posix_spawn_file_actions_addchdir_np (glibc 2.29 or later is needed)")
        }
        _ = addChdir(&actions, workingDirectory)
        _ = PosixSpawnExtensions.addClosefrom?(&actions, 3)
        #else
        posix_spawn_file_actions_addchdir_np(&actions, workingDirectory)
        #endif

        let started = ContinuousClock.now
        var pid: pid_t = 0
        let variables = environment.map { "\($0.key)=\($0.value)" }
        let error = CStringArray.with(argv) { argvPointer in
            CStringArray.with(variables) { environmentPointer in
                posix_spawn(&pid, executable, &actions, &attributes, argvPointer, environmentPointer)
            }
        }
        switch error {
        case 0:
            return ChildProcess(pid: pid, started: started)
        case ENOENT:
            throw ExecutionError(.executableNotFound, "the executable '\(executable)' does not exist")
        case EACCES, ENOEXEC:
            throw ExecutionError(.notExecutable, "'\(executable)' cannot be executed: \(String(cString: strerror(error)))")
        default:
            throw ExecutionError(.spawnFailed, "starting '\(executable)' failed: \(String(cString: strerror(error)))")
        }
    }
}
