import Foundation

/// Names that become one component of a path in the run store or the notebooks (a study's name, a variant's):
/// `runs/<study>/<variant>/seed-<n>`, `notebooks-md/<study>.md`. Such a name must stay one component inside its
/// parent: no '/', no NUL, not empty, not '.' or '..' (nor any name starting with '.', a hidden or special
/// directory), no leading '-' (read as an option by every tool it is passed to), no control characters, at most
/// 255 bytes (the file system's limit).
public enum PathName {
    /// What is wrong with `name` as a path component, or nil when it is fine.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "it is empty" }
        if name == "." || name == ".." { return "'.' and '..' are a directory itself and its parent" }
        if name.contains("/") { return "it contains '/'" }
        if name.unicodeScalars.contains(where: { $0.value == 0 }) { return "it contains a NUL character" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) { return "it contains a control character" }
        if name.hasPrefix(".") { return "it starts with '.' (a hidden directory)" }
        if name.hasPrefix("-") { return "it starts with '-' (commands would read it as an option)" }
        if name.utf8.count > 255 { return "it has \(name.utf8.count) bytes (at most 255)" }
        return nil
    }

    /// Throws `AblateError.study` at `line`:`column` of `path` when `name` is not a valid path component.
    static func check(_ name: String, what: String, path: String, line: Int = 1, column: Int = 1) throws {
        if let why = problem(name) {
            throw AblateError.study(path: path, line: line, column: column, message: "\(what) '\(printable(name))' cannot be a directory name: \(why)")
        }
    }

    /// The name with control characters escaped, for messages.
    static func printable(_ name: String) -> String {
        String(name.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined())
    }
}
