import Foundation
import Testing

/// A clone of the repository explains itself: every document the code, the tests and the READMEs cite lives in
/// the repository (`docs/`, `Sources/<Module>/README.md`). The project's design notes once lived in a folder beside
/// the repository (`DESIGN.md`, `REFERENCE.md`, `PLATFORM.md`, `STYLE.md`), so a clone followed dead links; these
/// tests keep it from happening again. This file is exempt from the scan: it has to spell the forbidden names.
@Suite struct RepositoryCitationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// What is scanned: directories walked recursively and single files, relative to the root.
    static let scannedDirectories = ["Sources", "Tests", "Fuzz/Sources", "docs", "studies", ".ci"]
    static let scannedFiles = ["README.md", "Package.swift", "Makefile"]
    /// Capitalised document names (`DESIGN.md`, `REFERENCE.md`, `DEVELOPERS.md`, …) other than `README.md`, with the
    /// text before each. Such a name is cited as `docs/<NAME>.md` (or, inside docs/, as a sibling), and that file
    /// must exist: the design notes that once lived outside the repository had such names.
    static func capitalisedDocuments(in line: String) -> [(name: String, before: Substring)] {
        var out: [(name: String, before: Substring)] = []
        var rest = line[...]
        while let r = rest.range(of: ".md") {
            let before = line[line.startIndex..<r.lowerBound]
            let stem = String(before.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }.reversed())
            let after = line[r.upperBound...].first
            if !stem.isEmpty, stem != "README", stem.contains(where: \.isLetter), stem == stem.uppercased(),
               !(after.map { $0.isLetter || $0.isNumber } ?? false) {
                out.append((name: stem + ".md", before: before.dropLast(stem.count)))
            }
            rest = line[r.upperBound...]
        }
        return out
    }

    /// Phrases that point outside the repository whatever follows them.
    static let outsidePhrases = ["../shared", "shared folder", "shared/"]

    /// Every scanned text file as (path relative to the root, lines).
    static func scannedTexts() throws -> [(path: String, lines: [String])] {
        let fm = FileManager.default
        let me = URL(fileURLWithPath: #filePath).standardizedFileURL.path
        var paths: [String] = scannedFiles.filter { fm.fileExists(atPath: root.appendingPathComponent($0).path) }
        for dir in scannedDirectories {
            let base = root.appendingPathComponent(dir)
            guard let walker = fm.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else { continue }
            for case let url as URL in walker {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
                let full = url.standardizedFileURL.path
                guard full != me else { continue }
                paths.append(String(full.dropFirst(root.standardizedFileURL.path.count + 1)))
            }
        }
        return paths.sorted().compactMap { path in
            guard let data = fm.contents(atPath: root.appendingPathComponent(path).path),
                  let text = String(data: data, encoding: .utf8) else { return nil }  // binary fixtures
            return (path, text.components(separatedBy: "\n"))
        }
    }

    /// `docs/…` paths named in `line` (letters, digits, `_`, `-`, `.`, `/` after `docs/`, ending in `.md`).
    static func docsPaths(in line: String) -> [String] {
        var out: [String] = []
        var rest = line[...]
        while let r = rest.range(of: "docs/") {
            let tail = rest[r.upperBound...].prefix { $0.isLetter || $0.isNumber || "_-./".contains($0) }
            var name = String(tail)
            while name.hasSuffix(".") || name.hasSuffix("/") { name.removeLast() }
            if name.hasSuffix(".md") { out.append("docs/" + name) }
            rest = rest[r.upperBound...]
        }
        return out
    }

    @Test func noCitationLeavesTheRepository() throws {
        var problems: [String] = []
        for (path, lines) in try Self.scannedTexts() {
            for (i, line) in lines.enumerated() {
                let at = "\(path):\(i + 1)"
                for phrase in Self.outsidePhrases where line.contains(phrase) {
                    problems.append("\(at): cites '\(phrase)' (outside the repository): \(line)")
                }
                for (name, before) in Self.capitalisedDocuments(in: line) {
                    if path.hasPrefix("docs/") && !before.hasSuffix("/") {
                        // A sibling inside docs/ (`[…](PLATFORM.md)`): it must exist there.
                        if !FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("docs/" + name).path) {
                            problems.append("\(at): cites \(name), which is not in docs/")
                        }
                    } else if !before.hasSuffix("/") || before.hasSuffix("../") {
                        // A bare name, or one beside the repository; a path into another folder of the repository
                        // (`notebooks-md/NAME.md`) is not a citation of a design note.
                        problems.append("\(at): names \(name) without 'docs/': \(line)")
                    }
                }
                for doc in Self.docsPaths(in: line)
                where !FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(doc).path) {
                    problems.append("\(at): cites \(doc), which does not exist")
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.count) citation(s) leave the repository:\n\(problems.joined(separator: "\n"))")
    }

    /// Relative Markdown links `](target)` in the repository's Markdown (outside the generated reports) resolve to
    /// a file or directory of the repository.
    @Test func markdownLinksResolve() throws {
        var problems: [String] = []
        for (path, lines) in try Self.scannedTexts() where path.hasSuffix(".md") {
            let dir = Self.root.appendingPathComponent(path).deletingLastPathComponent()
            for (i, line) in lines.enumerated() {
                var rest = line[...]
                while let open = rest.range(of: "](") {
                    let target = rest[open.upperBound...].prefix { $0 != ")" && $0 != " " }
                    rest = rest[open.upperBound...]
                    let file = String(target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                    guard !file.isEmpty, !file.contains("://"), !file.hasPrefix("mailto:") else { continue }
                    if !FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).standardizedFileURL.path) {
                        problems.append("\(path):\(i + 1): the link target '\(target)' does not exist")
                    }
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// Each module directory says what lives there and what it may import.
    @Test func everyModuleHasAReadme() throws {
        let sources = Self.root.appendingPathComponent("Sources")
        let modules = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { !$0.hasPrefix(".") }.sorted()
        let missing = modules.filter {
            !FileManager.default.fileExists(atPath: sources.appendingPathComponent($0).appendingPathComponent("README.md").path)
        }
        #expect(!modules.isEmpty)
        #expect(missing.isEmpty, "Sources/<Module>/README.md missing for: \(missing.joined(separator: ", "))")
        for required in ["ARCHITECTURE.md", "REFERENCE.md", "PLATFORM.md"] {
            #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("docs/" + required).path),
                    "docs/\(required) is missing")
        }
    }
}
