import Foundation

/// A log file as a response: what is there now, or (following) everything until its job ends.
enum LogStream {
    static func response(path: String, follow: Bool, isFinished: @escaping @Sendable () -> Bool) -> APIResponse {
        let stream = AsyncStream<[UInt8]> { continuation in
            let task = Task {
                var offset: UInt64 = 0
                while !Task.isCancelled {
                    // Check before reading, so the last bytes written before the end are sent.
                    let finished = !follow || isFinished()
                    if let handle = FileHandle(forReadingAtPath: path) {
                        try? handle.seek(toOffset: offset)
                        while let data = try? handle.read(upToCount: 1 << 16), !data.isEmpty {
                            offset += UInt64(data.count)
                            continuation.yield(Array(data))
                        }
                        try? handle.close()
                    }
                    if finished { break }
                    try? await Task.sleep(for: .milliseconds(200))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        return APIResponse(status: 200, contentType: "text/plain; charset=utf-8", body: .stream(stream))
    }
}
