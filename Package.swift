// swift-tools-version:6.0
// RewardZoo: verifier-free ("intrinsic") rewards for RL post-training of small language models.
// Dependencies point one way (see DESIGN.md): CBLAS/CGSL <- MiniLM <- (RewardZoo, Tasks) <- Ablate <- AblateCLI.
import PackageDescription

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
    ],
    targets: [
        // MARK: - C system libraries (Debian: libopenblas-dev, libgsl-dev)
        // Kept in separate Swift targets: GSL's gsl_cblas.h and OpenBLAS's cblas.h define CBLAS_TRANSPOSE
        // differently, so no Swift target imports both (PLATFORM.md).
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CGSL", path: "Sources/CGSL", pkgConfig: "gsl",
                       providers: [.apt(["libgsl-dev"])]),

        // MARK: - Model
        .target(name: "MiniLM", dependencies: ["CBLAS"]),

        // MARK: - Tasks (knows nothing of models)
        .target(name: "Tasks"),

        // MARK: - Studies, statistics, reports
        .target(name: "Ablate", dependencies: ["MiniLM", "Tasks", "CGSL"]),

        // MARK: - Command line
        .executableTarget(name: "AblateCLI", dependencies: [
            "Ablate", "MiniLM", "Tasks",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: - Tests (mirror the modules)
        .testTarget(name: "MiniLMTests", dependencies: ["MiniLM"]),
        .testTarget(name: "TasksTests", dependencies: ["Tasks"]),
        .testTarget(name: "AblateTests", dependencies: ["Ablate"], resources: [.copy("Fixtures")]),
    ]
)
