import Execution
import Foundation
import Synchronization

/// A log file as a response: what is there now, or (following) everything until its job ends.
///
/// The stream is pulled: a chunk is read from the file only when the server asks for the next
/// one, and the server asks only once the previous chunk is on its way to the client. A
/// client that reads nothing therefore holds at most a chunk and the socket's buffers of
/// the daemon's memory, however long the log.
enum LogStream {
    static let chunkBytes = 1 << 16

    static func response(path: String, follow: Bool, isFinished: @escaping @Sendable () async -> Bool) -> APIResponse {
        let reader = LogReader(path: path)
        let stream = AsyncStream<[UInt8]>(unfolding: {
            while !Task.isCancelled {
                // Check before reading, so the last bytes written before the end are sent.
                let finished = follow ? await isFinished() : true
                // Read on the blocking pool: a file read blocks its thread.
                if let chunk = (try? await BlockingWork.run { reader.next(maxBytes: chunkBytes) }) ?? nil { return chunk }
                if finished { return nil }
                try? await Task.sleep(for: .milliseconds(200), clock: .continuous)
            }
            return nil
        })
        return APIResponse(status: 200, contentType: "text/plain; charset=utf-8", body: .stream(stream))
    }

    /// The last `maxBytes` of a log, cut at a line start, without reading the rest.
    static func tail(path: String, maxBytes: Int) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd() else { return "" }
        let start = size > UInt64(maxBytes) ? size - UInt64(maxBytes) : 0
        try? handle.seek(toOffset: start)
        var data = (try? handle.readToEnd()) ?? Data()
        if start > 0, let newline = data.firstIndex(of: UInt8(ascii: "\n")) { data = data[(newline + 1)...] }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Reads a growing file from where it left off. A file that became shorter (its log was
/// cut to its tail) is read again from its start.
final class LogReader: Sendable {
    private let path: String
    private let offset = Mutex<UInt64>(0)

    init(path: String) {
        self.path = path
    }

    func next(maxBytes: Int) -> [UInt8]? {
        offset.withLock { offset in
            guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
            defer { try? handle.close() }
            if let size = try? handle.seekToEnd(), size < offset { offset = 0 }
            try? handle.seek(toOffset: offset)
            guard let data = try? handle.read(upToCount: maxBytes), !data.isEmpty else { return nil }
            offset += UInt64(data.count)
            return Array(data)
        }
    }
}
