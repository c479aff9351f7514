// swift-tools-version:6.0
import PackageDescription
import Foundation

// Optional fast path: `ENGRAM_TARGET_CPU=haswell swift build -c release` compiles the numeric
// modules for a CPU with AVX2+FMA (see PERFORMANCE.md). The default build runs on any x86-64/arm64.
let cpuFlags: [SwiftSetting] = {
    guard let cpu = ProcessInfo.processInfo.environment["ENGRAM_TARGET_CPU"], !cpu.isEmpty else { return [] }
    // ENGRAM_FMA: the target has AVX2+FMA; Numerics then uses 6×16 fused multiply-add GEMM tiles.
    return [.unsafeFlags(["-target-cpu", cpu]), .define("ENGRAM_FMA")]
}()
let v5: [SwiftSetting] = [.swiftLanguageMode(.v5)]

// Run-time kernel dispatch: the hot SIMD kernels (Sources/SIMDKernels) are also compiled, through
// symlinks to the same files, for AVX2+FMA and for AVX-512; Numerics.SIMDKernelSet picks one per
// process from the CPU's features (override: ENGRAM_KERNELS=baseline|avx2|avx512). The kernel
// modules are optimised even in debug builds (the Mimi parity tests need the speed). On a
// non-x86 host the wider modules get no CPU flags and are never chosen.
let kernelO: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]
func kernelFlags(_ cpu: String, _ defines: [String]) -> [SwiftSetting] {
    #if arch(x86_64)
    return [.unsafeFlags(["-target-cpu", cpu])] + defines.map { .define($0) }
    #else
    return []
    #endif
}

/// Markdown notes that live next to a module's sources (README.md per folder), excluded from the build.
func docs(_ target: String) -> [String] {
    let root = Context.packageDirectory + "/Sources/" + target
    guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
    return e.compactMap { $0 as? String }.filter { $0.hasSuffix(".md") }.sorted()
}

let package = Package(
    name: "EngramAudio",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "engram", targets: ["engram"]),
        .library(name: "EngramCore", targets: ["EngramCore"]),
        .library(name: "AudioIO", targets: ["AudioIO"]),
        .library(name: "Numerics", targets: ["Numerics"]),
        .library(name: "Formats", targets: ["Formats"]),
        .library(name: "Encoders", targets: ["Encoders"]),
        .library(name: "Phase0", targets: ["Phase0"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .target(name: "EngramCore", dependencies: [.product(name: "Yams", package: "Yams")], exclude: docs("EngramCore"), swiftSettings: v5),
        .target(name: "AudioIO", dependencies: ["EngramCore"], exclude: docs("AudioIO"), swiftSettings: v5 + cpuFlags),
        .target(name: "SIMDKernels", exclude: docs("SIMDKernels"), swiftSettings: v5 + cpuFlags + kernelO),
        .target(name: "SIMDKernelsAVX2", swiftSettings: v5 + kernelFlags("haswell", ["ENGRAM_FMA"]) + kernelO),
        .target(name: "SIMDKernelsAVX512", swiftSettings: v5 + kernelFlags("skylake-avx512", ["ENGRAM_FMA", "ENGRAM_AVX512"]) + kernelO),
        .target(name: "Numerics", dependencies: ["EngramCore", "SIMDKernels", "SIMDKernelsAVX2", "SIMDKernelsAVX512"],
                exclude: docs("Numerics"), swiftSettings: v5 + cpuFlags),
        .target(name: "Formats", dependencies: ["EngramCore"], exclude: docs("Formats"), swiftSettings: v5 + cpuFlags),
        // Encoders is optimised even in debug builds: the Mimi parity tests run the full 39 M-parameter
        // encoder, which takes ~15 min unoptimised and ~2 s optimised.
        .target(name: "Encoders", dependencies: ["EngramCore", "Numerics", "Formats", "AudioIO",
                                                 "SIMDKernels", "SIMDKernelsAVX2", "SIMDKernelsAVX512"], exclude: docs("Encoders"),
                swiftSettings: v5 + cpuFlags + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "Phase0", dependencies: ["EngramCore", "AudioIO", "Numerics", "Formats", "Encoders"], exclude: docs("Phase0"), swiftSettings: v5 + cpuFlags),
        .executableTarget(name: "engram", dependencies: [
            "EngramCore", "AudioIO", "Numerics", "Formats", "Encoders", "Phase0",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: v5),
        .target(name: "TestSupport", dependencies: ["EngramCore"], path: "Tests/TestSupport", swiftSettings: v5),
        .testTarget(name: "EngramCoreTests", dependencies: ["EngramCore", "TestSupport"], swiftSettings: v5),
        .testTarget(name: "AudioIOTests", dependencies: ["AudioIO", "TestSupport"], swiftSettings: v5),
        .testTarget(name: "NumericsTests", dependencies: ["Numerics", "TestSupport"], swiftSettings: v5),
        .testTarget(name: "FormatsTests", dependencies: ["Formats", "TestSupport"], swiftSettings: v5),
        .testTarget(name: "EncodersTests", dependencies: ["Encoders", "Formats", "TestSupport"], swiftSettings: v5),
        .testTarget(name: "Phase0Tests", dependencies: ["Phase0", "TestSupport"], swiftSettings: v5),
        .testTarget(name: "EngramCLITests", dependencies: ["TestSupport"], swiftSettings: v5),
    ]
)
