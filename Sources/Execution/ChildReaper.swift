#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Learns that children exited, for every child of the daemon on one thread.
///
/// Waiting for a child blocks; a `waitid` per child would hold a thread for each running
/// job (hours, for a training run), which is why this is not `BlockingWork`: a fixed pool
/// with a thread per core is starved by two long jobs on two cores. Instead each child gets
/// a pidfd, which becomes readable when the child exits, and one thread polls them all;
/// the child is left unreaped, for `ChildProcess` to reap. Where pidfds are missing (Linux
/// before 5.3, a C library without `pidfd_open`, other systems) a child is waited for on a
/// thread of its own, as before.
final class ChildReaper: Sendable {
    static let shared = ChildReaper()

    private struct State {
        /// Waiters by the pidfd of their child.
        var waiting: [Int32: CheckedContinuation<Void, Never>] = [:]
        var threadStarted = false
    }

    private let state = Mutex(State())
    /// A pipe whose read end the thread polls beside the pidfds: a byte written tells it
    /// to poll a new set.
    private let bell: (read: Int32, write: Int32)

    private init() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { fatalError("no pipe for the child reaper: \(String(cString: strerror(errno)))") }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        bell = (ends[0], ends[1])
    }

    /// Returns once `pid`, a child of this process, has exited (or is already gone); it is
    /// left a zombie, unreaped.
    func exited(_ pid: pid_t) async {
        #if canImport(Glibc)
        guard let pidfdOpen = Self.pidfdOpen else { return await waitOnOwnThread(pid) }
        let descriptor = pidfdOpen(pid, 0)
        guard descriptor >= 0 else {
            // Already reaped by someone else: nothing to wait for.
            if errno == ESRCH { return }
            return await waitOnOwnThread(pid)
        }
        defer { close(descriptor) }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let startThread = state.withLock { state -> Bool in
                state.waiting[descriptor] = continuation
                defer { state.threadStarted = true }
                return !state.threadStarted
            }
            if startThread {
                let thread = Thread { [self] in
                    // Named from inside: Foundation names the kernel's thread only for the current one.
                    Thread.current.name = "hekaton-reaper"
                    pollForever()
                }
                thread.stackSize = 128 * 1024
                thread.start()
            }
            var byte: UInt8 = 1
            _ = write(bell.write, &byte, 1)
        }
        #else
        await waitOnOwnThread(pid)
        #endif
    }

    #if canImport(Glibc)
    private typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32
    /// glibc 2.36's wrapper, looked up by name as `PosixSpawnExtensions` does.
    private static let pidfdOpen: PidfdOpen? = {
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, "pidfd_open") else { return nil }
        return unsafeBitCast(address, to: PidfdOpen.self)
    }()

    private func pollForever() {
        var drain = [UInt8](repeating: 0, count: 64)
        while true {
            let descriptors = state.withLock { Array($0.waiting.keys) }
            var polled = [pollfd(fd: bell.read, events: Int16(POLLIN), revents: 0)]
                + descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&polled, nfds_t(polled.count), -1) > 0 else { continue }
            if polled[0].revents != 0 {
                while read(bell.read, &drain, drain.count) > 0 {}
            }
            let exited = polled.dropFirst().filter { $0.revents != 0 }.map(\.fd)
            guard !exited.isEmpty else { continue }
            // Only this thread removes a waiter, so no descriptor it polls is closed under it.
            let waiters = state.withLock { state in exited.compactMap { state.waiting.removeValue(forKey: $0) } }
            for waiter in waiters { waiter.resume() }
        }
    }
    #endif

    private func waitOnOwnThread(_ pid: pid_t) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waiter = Thread {
                Thread.current.name = "hekaton-wait-\(pid)"
                var info = siginfo_t()
                while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
                continuation.resume()
            }
            waiter.stackSize = 256 * 1024
            waiter.start()
        }
    }
}
