import ArgumentParser
import EngramCore
import Foundation
import Numerics

/// `engram`: the EngramAudio command-line tool. One subcommand per pipeline step.
@main
struct Engram: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engram",
        abstract: "Do neural-codec latents have reusable local structure? Phase 0 analysis of audio latents.",
        version: "engram (EngramAudio) — \(SIMDKernelSet.activeSummary)",
        subcommands: [
            Phase0Command.self, DownloadCommand.self, DemoCorpusCommand.self, CorpusCommand.self, AudioCommand.self,
            SynthLatentsCommand.self, WeightsCommand.self, SlurmCommand.self, BenchCommand.self,
        ]
    )
}

/// `--config FILE`, shared by every command that reads a YAML config.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "YAML config file (keys as in SPEC.md).")
    var config: String = "configs/phase0.yaml"
}

/// Runs `body`, printing an `EngramError` cleanly (no stack trace) and exiting non-zero.
/// First checks `ENGRAM_KERNELS` (an unknown or unsupported kernel set is an error, not a crash).
/// With `ENGRAM_KMEANS_TRACE=1` in the environment, one stderr line per k-means initialisation.
func reportingErrors(_ body: () throws -> Void) throws {
    installKMeansTrace()
    do {
        try SIMDKernelSet.validateEnvironment()
        try body()
    } catch let e as EngramError {
        printErr("error: \(e.description)")
        throw ExitCode(2)
    }
}

/// `ENGRAM_KMEANS_TRACE=1`: k-means prints what each initialisation cost (seeding, Lloyd, iterations,
/// share of point–centre distances the bounds skipped) — for profiling at scale.
func installKMeansTrace() {
    guard ProcessInfo.processInfo.environment["ENGRAM_KMEANS_TRACE"] == "1" else { return }
    KMeans.trace = { t in
        let skipped = t.iterations > 0 ? 1 - Double(t.fullDistanceRows) / Double(t.n * (t.iterations + 1)) : 0
        printErr(String(format: "k-means n=%d d=%d k=%d init %d: k-means++ %.2f s, Lloyd %.2f s (%d it., %.1f %% of distance rows skipped), inertia %.6g",
                        t.n, t.d, t.k, t.initIndex, t.seedingSeconds, t.lloydSeconds, t.iterations, 100 * skipped, t.inertia))
    }
}
