import Scheduler
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
                try? await Timers.sleep(for: .milliseconds(200))
            }
            return nil
        })
        return APIResponse(status: 200, contentType: "text/plain; charset=utf-8", body: .stream(stream))
    }

    /// A log followed as Server-Sent Events from byte `from` on: one `message` event a line
    /// (a line longer than a chunk is cut into several), a comment every 15 s of silence, and an
    /// `end` event once the job has ended and all it wrote is sent. A partial line waits for
    /// its end, holding at most a chunk.
    static func events(path: String, from: UInt64, isFinished: @escaping @Sendable () async -> Bool) -> APIResponse {
        let reader = LogReader(path: path, offset: from)
        let framer = LineFramer()
        let stream = AsyncStream<[UInt8]>(unfolding: {
            var quiet = 0
            while !Task.isCancelled {
                if framer.ended { return nil }
                let finished = await isFinished()
                if let chunk = (try? await BlockingWork.run { reader.next(maxBytes: chunkBytes) }) ?? nil {
                    let frame = framer.frame(chunk)
                    if !frame.isEmpty { return frame }
                    continue
                }
                if finished {
                    return framer.finish()
                }
                quiet += 1
                if quiet >= 75 { return Array(": still running\n\n".utf8) }
                try? await Timers.sleep(for: .milliseconds(200))
            }
            return nil
        })
        var response = APIResponse(status: 200, contentType: "text/event-stream; charset=utf-8", body: .stream(stream))
        response.headers.append(("Cache-Control", "no-store"))
        return response
    }

    /// The complete lines of `partial + bytes` as `data:` events; the rest stays in `partial`
    /// unless `flush` or it has grown to a chunk.
    static func frames(_ partial: inout [UInt8], adding bytes: [UInt8], flush: Bool) -> [UInt8] {
        partial += bytes
        var out: [UInt8] = []
        var start = 0
        for index in partial.indices where partial[index] == UInt8(ascii: "\n") {
            out += event(partial[start..<index])
            start = index + 1
        }
        partial.removeFirst(start)
        if !partial.isEmpty && (flush || partial.count >= chunkBytes) {
            out += event(partial[...])
            partial.removeAll()
        }
        return out
    }

    private static func event(_ line: ArraySlice<UInt8>) -> [UInt8] {
        // A carriage return would end the field early: it becomes a space.
        Array("data: ".utf8) + line.map { $0 == UInt8(ascii: "\r") ? UInt8(ascii: " ") : $0 } + Array("\n\n".utf8)
    }

    /// The last `maxBytes` of a log, cut at a line start, without reading the rest; with
    /// `endingAt`, of its first that many bytes.
    static func tail(path: String, maxBytes: Int, endingAt end: UInt64? = nil) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        guard let fileSize = try? handle.seekToEnd() else { return "" }
        let size = min(end ?? fileSize, fileSize)
        let start = size > UInt64(maxBytes) ? size - UInt64(maxBytes) : 0
        try? handle.seek(toOffset: start)
        var data = (try? handle.read(upToCount: Int(size - start))) ?? Data()
        if start > 0, let newline = data.firstIndex(of: UInt8(ascii: "\n")) { data = data[(newline + 1)...] }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Reads a growing file from where it left off. A file that became shorter (its log was
/// cut to its tail) is read again from its start.
final class LogReader: Sendable {
    private let path: String
    private let offset: Mutex<UInt64>

    init(path: String, offset: UInt64 = 0) {
        self.path = path
        self.offset = Mutex(offset)
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

/// A followed log's partial line and whether its `end` event is sent.
final class LineFramer: Sendable {
    private let state = Mutex<(partial: [UInt8], ended: Bool)>(([], false))

    var ended: Bool { state.withLock { $0.ended } }

    func frame(_ bytes: [UInt8]) -> [UInt8] {
        state.withLock { state in LogStream.frames(&state.partial, adding: bytes, flush: false) }
    }

    /// The rest, then the `end` event.
    func finish() -> [UInt8] {
        state.withLock { state in
            state.ended = true
            return LogStream.frames(&state.partial, adding: [], flush: true) + Array("event: end\ndata: ended\n\n".utf8)
        }
    }
}
