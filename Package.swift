// swift-tools-version:6.0
// RewardZoo: verifier-free ("intrinsic") rewards for RL post-training of small language models.
// Dependencies point one way (see docs/ARCHITECTURE.md):
//   CBLAS, MiniLMKernelsV4 <- MiniLM <- RewardZoo <- Ablate <- AblateCLI;   Tasks <- Ablate;   CGSL, JSON <- Statistics <- Ablate.
// Seeded (under MiniLM, RewardZoo, Tasks, Ablate) and JSON (under Statistics, Ablate) import only Foundation.
// Statistics knows nothing of models, rewards, tasks or studies, so it and its tests build without OpenBLAS.
import PackageDescription
import Foundation

// MiniLM's element-wise kernels (GELU, softmax, LayerNorm, reductions) are plain Swift loops that the compiler
// vectorises. Without a target CPU it may only use SSE2 (4 floats); x86-64-v3 (AVX2 + FMA, every x86 CPU since
// 2013-2015) doubles their width. `REWARDZOO_PORTABLE=1 swift build` leaves the flag out; the `ablate` CLI
// refuses to start with a clear message on an x86 CPU without AVX2/FMA.
//
// MiniLMKernelsV4 holds AVX-512 (SIMD16) copies of MiniLM's own kernels, compiled for x86-64-v4 in that build;
// MiniLM (define REWARDZOO_KERNELS_V4) calls them only after CPUID says the CPU runs them (KernelPath.swift).
// Everywhere else the target compiles without flags and MiniLM never calls it.
var miniLMSettings: [SwiftSetting] = []
var kernelsV4Settings: [SwiftSetting] = []
var cliSettings: [SwiftSetting] = []
#if arch(x86_64)
if ProcessInfo.processInfo.environment["REWARDZOO_PORTABLE"] == nil {
    miniLMSettings.append(.unsafeFlags(["-Xcc", "-march=x86-64-v3"]))
    miniLMSettings.append(.define("REWARDZOO_KERNELS_V4"))
    // Optimised in debug builds too: unoptimised, the target emits weak copies of generic standard-library
    // functions (UnsafeRawPointer.loadUnaligned, ...) compiled for v4, which the linker may pick for other modules.
    kernelsV4Settings.append(.unsafeFlags(["-Xcc", "-march=x86-64-v4", "-O"]))
    cliSettings.append(.define("REWARDZOO_X86_64_V3"))
} else {
    miniLMSettings.append(.define("REWARDZOO_NO_FMA"))  // the kernels' fused multiply-adds become mul + add
}
#endif

let package = Package(
    name: "RewardZoo",
    products: [
        .executable(name: "ablate", targets: ["AblateCLI"]),
        .library(name: "MiniLM", targets: ["MiniLM"]),
        .library(name: "Tasks", targets: ["Tasks"]),
        .library(name: "Ablate", targets: ["Ablate"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Study files (YAML) with node positions, so every error names file:line:column.
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // MARK: - C system libraries (Debian: libopenblas-dev, libgsl-dev)
        // Kept in separate Swift targets: GSL's gsl_cblas.h and OpenBLAS's cblas.h define CBLAS_TRANSPOSE
        // differently, so no Swift target imports both (docs/PLATFORM.md). Their README.md needs no `exclude`
        // (SwiftPM does not scan a system library's directory for sources, and `.systemLibrary` takes no `exclude`).
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CGSL", path: "Sources/CGSL", pkgConfig: "gsl",
                       providers: [.apt(["libgsl-dev"])]),

        // MARK: - Seeded randomness and stable hashes (no dependencies; under MiniLM, RewardZoo, Tasks and Ablate)
        .target(name: "Seeded", exclude: ["README.md"]),

        // MARK: - Model
        // The AVX-512 kernels: no dependencies, raw pointers in and out, nothing inlinable (see its README.md).
        .target(name: "MiniLMKernelsV4", exclude: ["README.md"], swiftSettings: kernelsV4Settings),
        .target(name: "MiniLM", dependencies: ["CBLAS", "Seeded", "MiniLMKernelsV4"], exclude: ["README.md"],
                swiftSettings: miniLMSettings),

        // MARK: - Rewards (knows nothing of tasks: a group carries extracted answers as strings)
        .target(name: "RewardZoo", dependencies: ["MiniLM", "Seeded"], exclude: ["README.md"]),

        // MARK: - Tasks (knows nothing of models)
        .target(name: "Tasks", dependencies: ["Seeded", "JSON"], exclude: ["README.md"]),

        // MARK: - JSON values (no dependencies): the `ablate stats` protocol and the JSON files Ablate reads and writes
        .target(name: "JSON", exclude: ["README.md"]),

        // MARK: - Statistics (scipy semantics on GSL; knows nothing of models, rewards, tasks or studies)
        .target(name: "Statistics", dependencies: ["CGSL", "JSON"], exclude: ["README.md"]),

        // MARK: - Studies, reports
        .target(name: "Ablate", dependencies: [
            "MiniLM", "RewardZoo", "Tasks", "Statistics", "JSON", "Seeded", .product(name: "Yams", package: "Yams"),
        ], exclude: ["README.md"]),

        // MARK: - Command line
        .executableTarget(name: "AblateCLI", dependencies: [
            "Ablate", "MiniLM", "RewardZoo", "Tasks", "Statistics", "JSON",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], exclude: ["README.md"], swiftSettings: cliSettings),

        // MARK: - Fuzzing: libFuzzer targets over the input parsers (`make fuzz`; the plain build is a replay driver)
        .executableTarget(name: "AblateFuzz", dependencies: ["Ablate", "MiniLM", "Statistics"], path: "Fuzz/Sources"),

        // MARK: - Tests (mirror the modules; every test target shares TestSupport: `Named`, `expectClose`, seeded data)
        .target(name: "TestSupport", dependencies: ["Seeded"], path: "Tests/TestSupport"),
        .testTarget(name: "MiniLMTests", dependencies: ["MiniLM", "Seeded", "TestSupport"]),
        .testTarget(name: "RewardZooTests", dependencies: ["RewardZoo", "MiniLM", "Seeded", "TestSupport"]),
        .testTarget(name: "TasksTests", dependencies: ["Tasks", "Seeded", "TestSupport"]),
        // Statistics alone (and JSON, its request values): builds without OpenBLAS, MiniLM or the rest of Ablate.
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics", "JSON", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "AblateTests", dependencies: ["Ablate", "Statistics", "JSON", "Seeded", "TestSupport"],
                    resources: [.copy("Fixtures")]),
    ]
)
