import Foundation
import JSON

/// Appends JSON lines to a file, each line one write(2) of a whole line, checked.
final class LineLog {
    let path: String
    private let handle: FileHandle

    init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw AblateError.io(path: path, reason: "cannot create the file")
        }
        handle = h
    }

    deinit { try? handle.close() }

    func append(_ value: JSONValue) throws {
        do { try handle.write(contentsOf: Data((value.serialized + "\n").utf8)) } catch {
            throw AblateError.io(path: path, reason: "cannot append (\(error.localizedDescription))")
        }
    }
}
