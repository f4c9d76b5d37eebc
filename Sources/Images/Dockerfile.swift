/// A submission's Dockerfile, read only as far as the platform must: which images its stages
/// start from, each of which must be one the competition allows, and where each instruction
/// starts, so that a failed build can name the line.
public struct Dockerfile: Sendable, Equatable {
    /// One instruction, its continuation lines joined, comments inside it dropped.
    public struct Instruction: Sendable, Equatable {
        /// The line it starts on, from 1.
        public var line: Int
        /// Its keyword in upper case (`FROM`, `RUN`, …).
        public var keyword: String
        /// The whole instruction as one line.
        public var text: String
    }

    public var instructions: [Instruction]
    /// The allowed image the last stage (the environment) is built on, through earlier stages.
    public var base: String
    /// Every allowed image a `FROM` (or `--from=`) names, in order of first use.
    public var bases: [String]

    /// A Dockerfile is a page or two; past this it is refused unread.
    public static let maxBytes = 64 << 10

    /// Checks `text` against the images the competition allows. Refused: a `FROM` naming
    /// anything else (other than an earlier stage), a `FROM` with variables (`$`, ARG), digests,
    /// parser directives that change the syntax, and `--from=` outside the same rules.
    public static func check(_ text: String, allowed: [String]) throws(ImageError) -> Dockerfile {
        guard text.utf8.count <= maxBytes else {
            throw ImageError(.dockerfile, "the Dockerfile is \(text.utf8.count) bytes; at most \(maxBytes) are accepted")
        }
        let allowedText = allowed.joined(separator: ", ")
        func refuse(_ line: Int, _ why: String) -> ImageError {
            ImageError(.dockerfile, "Dockerfile line \(line): \(why)")
        }
        let instructions = try parse(text, refuse)
        var stages: [String] = []          // aliases of earlier stages, lower-cased
        var stageBases: [String] = []      // the allowed image each stage starts from
        var bases: [String] = []
        func resolve(_ image: String, line: Int, what: String) throws(ImageError) -> String {
            if image.contains("$") {
                throw refuse(line, "\(what) uses a variable ('\(image)'); name the image literally, one of: \(allowedText)")
            }
            if let index = stages.firstIndex(of: image.lowercased()) { return stageBases[index] }
            if let number = Int(image), number >= 0, number < stageBases.count { return stageBases[number] }
            var name = image
            if name.hasPrefix("localhost/") { name.removeFirst("localhost/".count) }
            if name.hasSuffix(":latest") { name.removeLast(":latest".count) }
            guard allowed.contains(name) else {
                throw refuse(line, "\(what) '\(image)' is not allowed; this competition's images are: \(allowedText)")
            }
            if !bases.contains(name) { bases.append(name) }
            return name
        }
        var sawFrom = false
        for instruction in instructions {
            switch instruction.keyword {
            case "FROM":
                sawFrom = true
                var words = instruction.text.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().map(String.init)
                while let first = words.first, first.hasPrefix("--") {
                    if first.contains("$") { throw refuse(instruction.line, "FROM's option '\(first)' uses a variable") }
                    words.removeFirst()
                }
                guard words.count == 1 || (words.count == 3 && words[1].uppercased() == "AS") else {
                    throw refuse(instruction.line, "FROM takes an image and optionally 'AS name', as in 'FROM \(allowed.first ?? "base") AS build'")
                }
                let base = try resolve(words[0], line: instruction.line, what: "FROM")
                stageBases.append(base)
                stages.append(words.count == 3 ? words[2].lowercased() : "\u{0}")
            case "ARG":
                continue
            default:
                guard sawFrom else {
                    throw refuse(instruction.line, "\(instruction.keyword) comes before the first FROM; a Dockerfile starts with FROM (one of: \(allowedText))")
                }
                if instruction.keyword == "COPY" || instruction.keyword == "ADD" || instruction.keyword == "RUN" {
                    for word in instruction.text.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst() {
                        guard word.hasPrefix("--") else { break }
                        // --from=IMAGE, and --mount=…,from=IMAGE,…: another image's files.
                        let what = word.hasPrefix("--mount") ? "\(instruction.keyword) --mount from" : "\(instruction.keyword) --from"
                        for part in word.split(separator: ",") {
                            let option = part.hasPrefix("--") ? part.dropFirst(2) : part[...]
                            for prefix in ["from=", "mount=from="] where option.hasPrefix(prefix) {
                                _ = try resolve(String(option.dropFirst(prefix.count)), line: instruction.line, what: what)
                            }
                        }
                    }
                }
            }
        }
        guard let last = stageBases.last else {
            throw ImageError(.dockerfile, "the Dockerfile has no FROM; start it with FROM and one of: \(allowedText)")
        }
        return Dockerfile(instructions: instructions, base: last, bases: bases)
    }

    /// Instructions with their first line: continuation lines (`\` at the end) joined, comment
    /// lines and blank lines dropped.
    static func parse(_ text: String, _ refuse: (Int, String) -> ImageError) throws(ImageError) -> [Instruction] {
        var result: [Instruction] = []
        var current: (line: Int, text: String)?
        var atStart = true
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            let trimmed = line.trimmingWhitespace()
            if trimmed.hasPrefix("#") {
                // Parser directives come first; one that changes the syntax (escape) is refused.
                if atStart, current == nil {
                    let directive = trimmed.dropFirst().trimmingWhitespace().lowercased()
                    if directive.hasPrefix("escape") || directive.hasPrefix("syntax") {
                        throw refuse(number, "parser directives (\(trimmed)) are not accepted; remove the line")
                    }
                }
                continue
            }
            atStart = false
            // Blank lines end nothing: inside a continuation they are skipped, as Docker does.
            if trimmed.isEmpty { continue }
            let continues = trimmed.hasSuffix("\\")
            let body = continues ? String(trimmed.dropLast()).trimmingWhitespace() : trimmed
            if var open = current {
                if !body.isEmpty { open.text += (open.text.isEmpty ? "" : " ") + body }
                current = open
            } else {
                current = (number, body)
            }
            if !continues, let done = current {
                let keyword = String(done.text.prefix { $0 != " " && $0 != "\t" }).uppercased()
                if keyword.isEmpty { current = nil; continue }
                result.append(Instruction(line: done.line, keyword: keyword, text: done.text))
                current = nil
            }
        }
        if let open = current, !open.text.isEmpty {
            let keyword = String(open.text.prefix { $0 != " " && $0 != "\t" }).uppercased()
            result.append(Instruction(line: open.line, keyword: keyword, text: open.text))
        }
        return result
    }

    /// The line of the instruction buildah reports in `building at STEP "…"`: the first
    /// instruction whose text, spaces collapsed, is the step's.
    public func line(ofStep step: String) -> Instruction? {
        let wanted = Self.collapsed(step)
        return instructions.first { Self.collapsed($0.text) == wanted }
            ?? instructions.first { Self.collapsed($0.text).hasPrefix(wanted) || wanted.hasPrefix(Self.collapsed($0.text)) }
    }

    static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }
}
