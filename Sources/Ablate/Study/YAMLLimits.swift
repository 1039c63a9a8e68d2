import CYaml
import Foundation
import Yams

/// Bounds on a study file, checked before Yams composes it (Yams builds the whole document recursively and
/// expands every alias, so a small hostile file could otherwise exhaust the stack or the memory).
///
/// `check` walks libyaml's event stream once, iteratively: it stops at the first collection nested deeper than
/// `maxDepth` and at the first alias whose expansion would take the document beyond `maxNodes` nodes (the
/// expanded size of each anchor is counted as the events go by, so a chain of nested anchors, the "billion
/// laughs", is refused after reading a few hundred bytes). Malformed YAML is left to Yams, which reports it with
/// its position; this check only refuses what is well-formed but too big.
public enum StudyLimits {
    /// The deepest nesting of lists and mappings a study file may have (the shipped studies use 4).
    public static let maxDepth = 64
    /// Nodes of the document with every alias expanded (room for a grid of `maxTrials` seeds and more).
    public static let maxNodes = 250_000
    /// Bytes of a study file.
    public static let maxBytes = 4 << 20
    /// Trials (variants × seeds) of one study, and seeds of an analysis study.
    public static let maxTrials = 10_000

    /// Throws an `AblateError.study` naming the line when `yaml` is nested too deeply, expands too many nodes
    /// through aliases, or is larger than `maxBytes`.
    public static func check(yaml: String, path: String, maxDepth: Int = maxDepth, maxNodes: Int = maxNodes) throws {
        let bytes = Array(yaml.utf8)
        guard bytes.count <= maxBytes else {
            throw AblateError.study(path: path, line: 1, column: 1,
                                    message: "the study file has \(bytes.count) bytes; a study file may have at most \(maxBytes) (4 MiB)")
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw AblateError.study(path: path, line: 1, column: 1, message: "cannot start the YAML parser (out of memory)")
        }
        defer { yaml_parser_delete(&parser) }

        try bytes.withUnsafeBufferPointer { buffer in
            // libyaml reads from this pointer while it parses; the buffer outlives the loop below. An empty file is
            // Yams's to report.
            guard let base = buffer.baseAddress, buffer.count > 0 else { return }
            yaml_parser_set_input_string(&parser, base, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)

            /// An open collection: its anchor (if any) and the node count when it started.
            struct Open { var anchor: String?; var start: Int }
            var open: [Open] = []
            var sizes: [String: Int] = [:]  // anchor → expanded nodes of its value
            var nodes = 0

            func fail(_ event: yaml_event_t, _ message: String) -> AblateError {
                .study(path: path, line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1, message: message)
            }
            func name(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
                p.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            }
            func add(_ count: Int, _ event: yaml_event_t) throws {
                nodes += count
                if nodes > maxNodes {
                    throw fail(event, "the document expands to more than \(maxNodes) nodes (aliases included); "
                               + "a study file is small: write the values out or use fewer aliases")
                }
            }

            while true {
                var event = yaml_event_t()
                // Malformed YAML: Yams reads the same text next and reports the problem with its position.
                guard yaml_parser_parse(&parser, &event) == 1 else { return }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return
                case YAML_SCALAR_EVENT:
                    try add(1, event)
                    if let a = name(event.data.scalar.anchor) { sizes[a] = 1 }
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    guard open.count < maxDepth else {
                        throw fail(event, "lists and mappings are nested more than \(maxDepth) deep; a study file needs a few levels")
                    }
                    try add(1, event)
                    let anchor = event.type == YAML_SEQUENCE_START_EVENT
                        ? name(event.data.sequence_start.anchor) : name(event.data.mapping_start.anchor)
                    open.append(Open(anchor: anchor, start: nodes - 1))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let o = open.popLast() else { continue }
                    if let a = o.anchor { sizes[a] = nodes - o.start }
                case YAML_ALIAS_EVENT:
                    guard let a = name(event.data.alias.anchor) else { continue }
                    // An unknown anchor is an error Yams reports; count it as one node here.
                    let size = sizes[a] ?? 1
                    try add(size, event)
                default:
                    continue
                }
            }
        }
    }
}

extension StudyLimits {
    /// The text of a study file, with a clear error when the path is missing, a directory, not a regular file,
    /// larger than `maxBytes`, unreadable or not UTF-8.
    public static func read(path: String) throws -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let why = errno == ENOENT ? "no such file" : String(cString: strerror(errno))
            throw AblateError.unreadableFile(path: path, reason: "cannot read the study file (\(why))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw AblateError.unreadableFile(path: path, reason: "is a directory, not a study file; give a .yaml file, e.g. studies/quick.yaml")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw AblateError.unreadableFile(path: path, reason: "is not a regular file; give a .yaml study file")
        }
        guard Int(info.st_size) <= maxBytes else {
            throw AblateError.unreadableFile(path: path, reason: "has \(info.st_size) bytes; a study file may have at most \(maxBytes) (4 MiB)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AblateError.unreadableFile(path: path, reason: "cannot read the study file (permission denied?)")
        }
        guard data.count <= maxBytes else {
            throw AblateError.unreadableFile(path: path, reason: "has \(data.count) bytes; a study file may have at most \(maxBytes) (4 MiB)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw AblateError.unreadableFile(path: path, reason: "is not UTF-8 text")
        }
        return text
    }
}

extension StudyLimits {
    /// Refuses a grid of more than `maxTrials` trials (or seeds) before any trial is resolved.
    static func checkGrid(seeds: Int, variants: Int, at node: Node, _ r: StudyReader) throws {
        if seeds > maxTrials {
            throw r.fail(node, "seeds: \(seeds) seeds; a study may have at most \(maxTrials) trials (variants × seeds)")
        }
        let (trials, overflow) = seeds.multipliedReportingOverflow(by: variants)
        if overflow || trials > maxTrials {
            throw r.fail(node, "variants: \(variants) variants × \(seeds) seeds = \(overflow ? "too many" : String(trials)) trials; "
                         + "a study may have at most \(maxTrials) trials (split it into several studies)")
        }
    }
}
