import Foundation
import Scheduler
import Synchronization

/// A job's child process, leader of its own process group, from spawn to reaping.
///
/// Stopping signals the whole group: SIGTERM, then SIGKILL after a grace period. The
/// leader is waited for without reaping it first (`WNOWAIT`): while it is a zombie its pid,
/// and so the group's id, cannot be reused, so signalling the group can never hit an
/// unrelated process. Once the leader has exited, whatever it left in its group is killed:
/// a job's processes do not outlive it.
final class ChildProcess: Sendable {
    let pid: pid_t
    private let started: ContinuousClock.Instant
    private struct State {
        /// Set just before the leader is reaped: no signal to the group after.
        var leaderExited = false
        var stopReason: ExecutionStop.Reason?
    }

    private let state = Mutex(State())

    init(pid: pid_t, started: ContinuousClock.Instant) {
        self.pid = pid
        self.started = started
    }

    /// SIGTERM to the group now, SIGKILL after `grace` if the leader is still there.
    func stop(_ reason: ExecutionStop.Reason, grace: Duration) {
        let signalled: Bool = state.withLock { state in
            guard !state.leaderExited, state.stopReason == nil else { return false }
            state.stopReason = reason
            kill(-pid, SIGTERM)
            return true
        }
        guard signalled else { return }
        // Real time, not an injected clock: a test clock cannot hurry a real process.
        Task { [self] in
            try? await Timers.sleep(for: grace)
            state.withLock { state in
                if !state.leaderExited { _ = kill(-pid, SIGKILL) }
            }
        }
    }

    /// Waits for the leader through the `ChildReaper` (waiting blocks, and must not hold up
    /// the cooperative pool), then kills what is left of the group and reaps the leader,
    /// neither of which blocks once it has exited. Nil when its status was lost: something
    /// else in the process reaped it.
    func exit() async -> ChildExit? {
        await ChildReaper.shared.exited(pid)
        return waitForExit()
    }

    private func waitForExit() -> ChildExit? {
        var info = siginfo_t()
        var waited: Int32
        repeat {
            waited = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT)
        } while waited == -1 && errno == EINTR
        let stoppedBy: ExecutionStop.Reason? = state.withLock { state in
            // Only while the leader is known to be our unreaped zombie is its group ours.
            if waited == 0 { kill(-pid, SIGKILL) }
            state.leaderExited = true
            return state.stopReason
        }
        guard waited == 0 else { return nil }
        var status: Int32 = 0
        var usage = rusage()
        var reaped: pid_t
        repeat {
            reaped = wait4(pid, &status, 0, &usage)
        } while reaped == -1 && errno == EINTR
        guard reaped == pid else { return nil }
        let wall = started.duration(to: .now)
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18
        return ChildExit(waitStatus: status, usage: usage, wallSeconds: wallSeconds, stoppedBy: stoppedBy)
    }
}
