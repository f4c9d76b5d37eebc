import HekatonSupport

/// The new image's config: the base's, with the new layer's diff ID and history entry, and
/// the request's changes to what runs. Pure, so the rules can be tested without a layout.
enum ImageConfiguration {
    static let historyAuthor = "hekaton artifact"

    static func derive(from base: JSONValue, request: OCIImageRequest, diffID: OCIDigest, created: String) -> JSONValue {
        var config = base
        config["created"] = .string(created)

        var rootfs = config["rootfs"] ?? .object([:])
        rootfs["diff_ids"] = .array(elements(of: rootfs["diff_ids"]) + [.string(diffID.description)])
        config["rootfs"] = rootfs

        let entry: JSONValue = .object(["created": .string(created), "created_by": .string(historyAuthor)])
        config["history"] = .array(elements(of: config["history"]) + [entry])

        var runtime = config["config"] ?? .object([:])
        if case .null = runtime { runtime = .object([:]) }
        if let entrypoint = request.entrypoint {
            runtime["Entrypoint"] = .strings(entrypoint)
            runtime["Cmd"] = nil
        }
        if let cmd = request.cmd { runtime["Cmd"] = .strings(cmd) }
        if let workingDir = request.workingDir { runtime["WorkingDir"] = .string(workingDir) }
        if !request.environment.isEmpty {
            let baseEnvironment = elements(of: runtime["Env"]).compactMap(\.stringValue)
            runtime["Env"] = .strings(mergeEnvironment(baseEnvironment, request.environment))
        }
        if !request.exposedPorts.isEmpty {
            var ports = runtime["ExposedPorts"] ?? .object([:])
            if case .null = ports { ports = .object([:]) }
            for port in request.exposedPorts { ports[normalizedPort(port)] = .object([:]) }
            runtime["ExposedPorts"] = ports
        }
        if !request.labels.isEmpty {
            var labels = runtime["Labels"] ?? .object([:])
            if case .null = labels { labels = .object([:]) }
            for (key, value) in request.labels { labels[key] = .string(value) }
            runtime["Labels"] = labels
        }
        config["config"] = runtime
        return config
    }

    /// `NAME=value` entries: a new one replaces the base's entry of the same name in place, or is appended.
    static func mergeEnvironment(_ base: [String], _ changes: [String]) -> [String] {
        var merged = base
        for change in changes {
            let name = variableName(change)
            if let index = merged.firstIndex(where: { variableName($0) == name }) {
                merged[index] = change
            } else {
                merged.append(change)
            }
        }
        return merged
    }

    /// "8080" → "8080/tcp"; the spec's form of a key of `ExposedPorts`.
    static func normalizedPort(_ port: String) -> String {
        port.contains("/") ? port.lowercased() : port + "/tcp"
    }

    /// "8080", "8080/tcp" or "53/udp", the port in 1…65535: what `ExposedPorts` accepts.
    static func isValidPort(_ port: String) -> Bool {
        let parts = port.lowercased().split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.count == 1 || ["tcp", "udp", "sctp"].contains(parts[1]),
              parts[0].count <= 5, parts[0].allSatisfy(\.isASCII), parts[0].allSatisfy(\.isNumber),
              let number = Int(parts[0]) else { return false }
        return (1...65535).contains(number)
    }

    static func variableName(_ entry: String) -> Substring {
        entry.prefix { $0 != "=" }
    }

    private static func elements(of value: JSONValue?) -> [JSONValue] {
        guard case .array(let elements)? = value else { return [] }
        return elements
    }
}
