import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Checked standard streams: every write to stdout or stderr is checked (a full disk, a closed descriptor or a
/// closed pipe is an error and a non-zero exit, never lost output), and stdin is read with plain `read(2)` so a
/// directory or a closed descriptor is an error rather than Foundation's `try!` trap.
enum StandardStreams {
    /// Descriptors 0–2 that were closed when the process started. Each is reopened on /dev/null so that no file the
    /// command opens later lands on it (a checkpoint opened as fd 1 would receive the output).
    nonisolated(unsafe) private(set) static var closedAtStart: Set<Int32> = []

    /// The most bytes read from standard input (an `ablate stats` document or inspect JSONL).
    static let maximumInputBytes = 1 << 30

    enum StreamError: Error, CustomStringConvertible {
        case closed(String)
        case failed(String, String)
        case tooLarge(Int)
        var description: String {
            switch self {
            case let .closed(name): return "\(name) is closed; redirect it from or to a file"
            case let .failed(name, reason): return "cannot use \(name): \(reason)"
            case let .tooLarge(limit): return "standard input exceeds \(limit) bytes; pass a smaller input"
            }
        }
    }

    /// Call once at start-up, before anything opens a file.
    static func prepare() {
        signal(SIGPIPE, SIG_IGN)  // a closed pipe becomes EPIPE on write, reported and exit 1, not a silent death
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 {
            closedAtStart.insert(fd)
            _ = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)  // takes the lowest free descriptor: fd
        }
    }

    private static func name(_ fd: Int32) -> String { ["standard input", "standard output", "standard error"][Int(fd)] }

    /// All of standard input.
    static func readInput() throws -> Data {
        if closedAtStart.contains(0) { throw StreamError.closed(name(0)) }
        var st = stat()
        if fstat(0, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            throw StreamError.failed(name(0), "it is a directory; redirect a file into it")
        }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n == 0 { return data }
            if n < 0 {
                if errno == EINTR { continue }
                throw StreamError.failed(name(0), String(cString: strerror(errno)))
            }
            data.append(contentsOf: buffer[0..<n])
            if data.count > maximumInputBytes { throw StreamError.tooLarge(maximumInputBytes) }
        }
    }

    /// Writes `text` to `fd` completely, or throws.
    static func write(_ text: String, to fd: Int32 = 1) throws {
        if closedAtStart.contains(fd) { throw StreamError.closed(name(fd)) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StreamError.failed(name(fd), String(cString: strerror(errno)))
            }
            offset += n
        }
    }

    /// A line on stdout.
    static func emit(_ line: String) throws { try write(line + "\n", to: 1) }

    /// A line on stderr; if even that fails there is nobody left to tell, and the exit code says it.
    static func warn(_ line: String) { try? write(line + "\n", to: 2) }
}
