#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Scheduler

/// What `wait4` reported for a child: how it ended and what it used.
struct ChildExit: Sendable {
    var termination: ExecutionResult.Termination
    var wallSeconds: Double
    var userSeconds: Double
    var systemSeconds: Double
    var peakMemoryBytes: Int64
    var stoppedBy: ExecutionStop.Reason?

    init(waitStatus status: Int32, usage: rusage, wallSeconds: Double, stoppedBy: ExecutionStop.Reason?) {
        // The W* macros are not imported into Swift; this is their definition on Linux and macOS.
        let low = status & 0x7f
        termination = low == 0 ? .exited((status >> 8) & 0xff) : .signalled(low)
        self.wallSeconds = wallSeconds
        userSeconds = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        systemSeconds = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        #if os(Linux)
        peakMemoryBytes = Int64(usage.ru_maxrss) * 1024  // kilobytes on Linux
        #else
        peakMemoryBytes = Int64(usage.ru_maxrss)  // bytes on macOS
        #endif
        self.stoppedBy = stoppedBy
    }

    var result: ExecutionResult {
        ExecutionResult(
            termination: termination, wallSeconds: wallSeconds, userSeconds: userSeconds, systemSeconds: systemSeconds,
            peakMemoryBytes: peakMemoryBytes, stoppedBy: stoppedBy)
    }
}
