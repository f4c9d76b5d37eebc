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

    static func variableName(_ entry: String) -> Substring {
        entry.prefix { $0 != "=" }
    }

    private static func elements(of value: JSONValue?) -> [JSONValue] {
        guard case .array(let elements)? = value else { return [] }
        return elements
    }
}
