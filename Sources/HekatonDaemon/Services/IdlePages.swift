import Scheduler
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Gives back the file-backed pages that start-up and finished work touched and an idle daemon
/// does not use: code and read-only data of the executable and its libraries.
///
/// Almost all of an idle daemon's resident memory is such pages (the migrations, the manifest
/// and YAML readers, the pipeline's recorders run once and are not needed again until the
/// next job). `MADV_DONTNEED` on a private read-only file mapping unmaps its pages without
/// losing anything: they stay in the page cache, and a later use faults them back in as
/// minor faults. Writable mappings (data, heap, the database's shared memory) are never
/// touched, and neither is a read-only mapping that holds a page of its own (relocated data
/// made read-only after loading, RELRO, is such a mapping: its pages differ from the file's),
/// so no state can be lost; anonymous memory stays as it is.
public enum IdlePages {
    /// Releases them; returns how many bytes of mappings were advised (not all were resident).
    @discardableResult
    public static func release() -> Int {
        var released = 0
        for mapping in releasable() {
            guard let start = UnsafeMutableRawPointer(bitPattern: mapping.start) else { continue }
            if madvise(start, mapping.end - mapping.start, MADV_DONTNEED) == 0 { released += mapping.end - mapping.start }
        }
        return released
    }

    /// The read-only private file mappings whose pages are all the file's, from
    /// `/proc/self/smaps` (a mapping's header line, then its fields, `Anonymous:` among them).
    static func releasable() -> [Mapping] {
        guard let smaps = fopen("/proc/self/smaps", "r") else { return [] }
        defer { fclose(smaps) }
        var found: [Mapping] = []
        var current: Mapping?
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), smaps) != nil {
            let text = String(cString: line)
            if let mapping = Mapping(line: text) {
                current = mapping.isReadOnlyPrivateFile ? mapping : nil
            } else if let mapping = current, text.hasPrefix("Anonymous:") {
                let kilobytes = text.dropFirst("Anonymous:".count).split(separator: " ").first.flatMap { Int($0) }
                if kilobytes == 0 { found.append(mapping) }
                current = nil
            }
        }
        return found
    }

    /// One line of `/proc/self/maps`: `start-end perms offset dev inode path`.
    struct Mapping: Equatable {
        var start: Int
        var end: Int
        var permissions: String
        var path: String

        /// Nil for anything but a mapping's line (smaps' field lines start with a name and a colon).
        init?(line: String) {
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count >= 5, !fields[0].hasSuffix(":") else { return nil }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let start = Int(range[0], radix: 16), let end = Int(range[1], radix: 16), start < end else { return nil }
            self.start = start
            self.end = end
            permissions = String(fields[1])
            path = fields.count == 6 ? String(fields[5].drop(while: { $0 == " " }).prefix(while: { $0 != "\n" })) : ""
        }

        /// `r-xp` or `r--p` on a file: code or read-only data, never written, not shared.
        var isReadOnlyPrivateFile: Bool {
            path.hasPrefix("/") && !path.hasSuffix(" (deleted)") && (permissions == "r-xp" || permissions == "r--p")
        }
    }
}

/// Calls `release` once the daemon has been quiet for `quietPeriod`: no request answered and
/// no job finished in that time. Each activity moves the moment on; one sleep at a time waits
/// for it, so a busy daemon arms no timer per request, and a quiet one arms none at all.
final class QuietRelease: Sendable {
    private struct State {
        var lastActivity: ContinuousClock.Instant
        var waiting = false
    }

    let quietPeriod: Duration
    private let release: @Sendable () -> Void
    private let state: Mutex<State>

    init(quietPeriod: Duration, release: @escaping @Sendable () -> Void = { IdlePages.release() }) {
        self.quietPeriod = quietPeriod
        self.release = release
        state = Mutex(State(lastActivity: .now))
    }

    /// Something happened: the release waits for a quiet period from now.
    func activity() {
        let start = state.withLock { state -> Bool in
            state.lastActivity = .now
            defer { state.waiting = true }
            return !state.waiting
        }
        guard start else { return }
        Task { await self.waitForQuiet() }
    }

    private func waitForQuiet() async {
        while true {
            let due = state.withLock { $0.lastActivity } + quietPeriod
            guard (try? await Timers.sleep(until: due)) != nil else { return }
            let quiet = state.withLock { state -> Bool in
                guard state.lastActivity + quietPeriod <= .now else { return false }
                state.waiting = false
                return true
            }
            if quiet { return release() }
        }
    }
}
