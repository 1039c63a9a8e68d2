import Foundation

/// Appends `Encodable` values as JSON lines to a file (created or truncated at init).
final class JSONLWriter {
    let path: String
    private let handle: FileHandle

    init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch { throw AblateError.io(path: path, reason: "cannot create its directory (\(error.localizedDescription))") }
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw AblateError.io(path: path, reason: "cannot create the log file")
        }
        handle = h
    }

    deinit { try? handle.close() }

    func append<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var data = try encoder.encode(value)
        data.append(0x0A)
        do { try handle.write(contentsOf: data) } catch {
            throw AblateError.io(path: path, reason: "cannot append to the log (\(error.localizedDescription))")
        }
    }
}
