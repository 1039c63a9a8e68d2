import Ablate
import ArgumentParser
import Foundation

/// How every command ends when it cannot do what was asked: one line on standard error,
/// `ablate <command>: error: <what and how to fix it>`, and one of three exit codes (the README lists them):
/// - 2: the input was refused (an unknown option or key, a malformed file, a value out of range, a missing
///   checkpoint or directory, an unusable output path), before any work;
/// - 1: the work ran and failed (a trial or run failed, standard output could not be written);
/// - 128 + N: stopped by signal N (130 for Ctrl-C).
enum CommandFailure {
    static let refused: Int32 = 2
    static let failed: Int32 = 1

    /// Prints `error` as the one line and returns the exit code to throw.
    static func report(_ command: String, _ error: Error) -> ExitCode {
        StandardStreams.warn("ablate \(command): error: \(error)")
        return ExitCode(isFailure(error) ? failed : refused)
    }

    /// Output that could not be written (standard output or error full or closed): the work ran, its result was
    /// lost. Everything else a command throws refuses its input.
    static func isFailure(_ error: Error) -> Bool {
        switch error as? StandardStreams.StreamError {
        case let .closed(name)?, let .failed(name, _)?: return name != "standard input"
        case .tooLarge?, nil: return false
        }
    }
}

/// Runs a command body: a library error becomes `CommandFailure.report`; usage errors and exit codes pass through.
func reportingErrors(_ command: String, _ body: () throws -> Void) throws {
    do { try body() } catch let e as ExitCode { throw e } catch let e as ValidationError { throw e } catch {
        throw CommandFailure.report(command, error)
    }
}

extension AblateCommand {
    /// ArgumentParser's own messages (an unknown option, a bad value, `--threads 0`) in the same form as every other
    /// error, with exit code 2 instead of its 64; an option that is really a training setting (`--eval-n`) gets a
    /// hint to `--set eval_n=...`. Help and version go to standard output as usual.
    static func runReportingUsageErrors(_ arguments: [String]) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { try? StandardStreams.emit(message) }
                Foundation.exit(0)
            }
            if error is ExitCode || message.isEmpty { Foundation.exit(code.rawValue) }
            let subcommand = arguments.first { name in configuration.subcommands.contains { $0.configuration.commandName == name } }
            var lines = message.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if let first = lines.first, first.hasPrefix("Error: ") {
                lines[0] = "ablate\(subcommand.map { " " + $0 } ?? ""): error: " + first.dropFirst("Error: ".count)
            }
            if let option = unknownOption(in: message), TrainConfig.fieldNames.contains(option) {
                lines.insert("  hint: training settings go through --set, e.g. --set \(option)=...", at: 1)
            }
            StandardStreams.warn(lines.joined(separator: "\n"))
            Foundation.exit(code.rawValue == 64 ? CommandFailure.refused : code.rawValue)
        }
    }

    /// `eval_n` from "Unknown option '--eval-n'".
    static func unknownOption(in message: String) -> String? {
        guard let range = message.range(of: "Unknown option '--") else { return nil }
        let rest = message[range.upperBound...]
        guard let end = rest.firstIndex(of: "'") else { return nil }
        return rest[..<end].replacingOccurrences(of: "-", with: "_")
    }
}
