import ArgumentParser
import Dispatch
import Encoders
import EngramCore
import Foundation
import Numerics

/// `engram bench mimi`: real-time factor and GFLOP/s of the released Mimi encoder architecture,
/// with the fixtures' formula weights (same cost as Kyutai's checkpoint; nothing to download).
struct BenchMimiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mimi", abstract: "Mimi encoder real-time factor and GFLOP/s.")

    @Option(help: "Seconds of 24 kHz audio per run.")
    var seconds: Double = 10
    @Option(help: "Worker threads (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Timed runs after one warm-up; the best is reported.")
    var repeats: Int = 3
    @Option(help: "Latent frames per chunk (memory bound; 12.5 frames = 1 s).")
    var chunkFrames: Int = 48
    @Flag(help: "Also print the time per stage.")
    var stages = false
    @Flag(help: "Only time the convolution GEMMs on the model's layer shapes (1 s of audio each).")
    var kernels = false

    func run() throws {
        try reportingErrors {
            guard seconds > 0, threads >= 1, repeats >= 1 else { throw EngramError("bench mimi", "seconds, threads and repeats must be positive") }
            if kernels {
                for l in MimiKernelBenchmark.run(seconds: 1, threads: threads) {
                    print(String(format: "%-26@ M %6d K %5d N %5d  %.4f s  %6.1f GFLOP/s", l.name as NSString, l.m, l.k, l.n, l.seconds, l.gflops))
                }
                return
            }
            let config = MimiConfig.released
            let t0 = Date()
            let weights = try MimiWeightFormula.weights(config: config, entries: MimiWeightFormula.table(config: config))
            let enc = try MimiEncoder(weights: weights, project: true, chunkFrames: chunkFrames, threads: threads)
            let loadTime = Date().timeIntervalSince(t0)
            let n = Int(seconds * Double(config.sampleRate))
            // A deterministic speech-like test signal: modulated tones, a chirp and noise.
            var wave = [Float](repeating: 0, count: n)
            var rng = UInt64(12345)
            for i in 0..<n {
                let t = Double(i) / Double(config.sampleRate)
                rng = rng &* 6364136223846793005 &+ 1442695040888963407
                let noise = Double(Int64(bitPattern: rng >> 11) % 1000) / 50000
                wave[i] = Float((0.6 + 0.4 * sin(2 * .pi * 0.5 * t)) * (0.25 * sin(2 * .pi * 220 * t) + 0.15 * sin(2 * .pi * 1375.5 * t))
                                + 0.2 * sin(2 * .pi * (80 * t + 400 * t * t).truncatingRemainder(dividingBy: 1e6)) + noise)
            }
            let cost = MimiCost(config: config, samples: n, project: true)
            print(String(format: "Mimi encoder (released architecture, formula weights): %.1f s of audio, %d thread(s), chunks of %d frames",
                         seconds, threads, chunkFrames))
            print(SIMDKernelSet.activeSummary)
            print(String(format: "weights built and packed in %.2f s; %.2f GMAC per run (%.2f GMAC per second of audio)",
                         loadTime, Double(cost.total) / 1e9, Double(cost.total) / 1e9 / seconds))
            var stageTimes: [String: Double] = [:]
            var best = Double.infinity, bestCPU = 0.0
            for r in 0...repeats {
                // Stage times: process CPU time (robust to other load; with several threads it sums them).
                var last = Self.processCPUTime()
                var times: [String: Double] = [:]
                let tap: MimiTap? = stages ? { name, _, _, _ in
                    let now = Self.processCPUTime()
                    times[Self.stageGroup(name), default: 0] += now - last
                    last = now
                } : nil
                let start = DispatchTime.now().uptimeNanoseconds
                let cpu0 = Self.processCPUTime()
                let out = try enc.encode(wave, tap: tap)
                let el = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let cpu = Self.processCPUTime() - cpu0
                precondition(out.count == enc.frameCount(samples: n) * 512 && out.allSatisfy(\.isFinite))
                if r == 0 { continue }     // warm-up
                print(String(format: "run %d: %.3f s  RTF %.4f  %.1f GFLOP/s  (CPU time %.3f s: %.1f GFLOP/s per busy core)",
                             r, el, el / seconds, 2 * Double(cost.total) / el / 1e9, cpu, 2 * Double(cost.total) / cpu / 1e9))
                if el < best { best = el; stageTimes = times; bestCPU = cpu }
            }
            print(String(format: "best: RTF %.4f (%.1f× real time), %.1f GFLOP/s", best / seconds, seconds / best, 2 * Double(cost.total) / best / 1e9))
            if stages {
                for name in stageTimes.keys.sorted() {
                    print(String(format: "  %-26@ CPU %.3f s (%4.1f%%)", name as NSString, stageTimes[name]!, 100 * stageTimes[name]! / bestCPU))
                }
                print(String(format: "  MAC share: SEANet %.1f%%, transformer %.1f%%, attention %.1f%%",
                             100 * Double(cost.seanet) / Double(cost.total), 100 * Double(cost.transformerLinear) / Double(cost.total),
                             100 * Double(cost.attention) / Double(cost.total)))
            }
        }
    }

    /// CPU seconds used by this process (all threads). On a shared machine, wall time / CPU time
    /// shows how much of the run the cores were actually ours.
    static func processCPUTime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Groups tap names into stages (taps arrive after each stage finishes).
    static func stageGroup(_ tap: String) -> String {
        switch tap {
        case "seanet_layer00", "seanet_layer01": return "seanet 24 kHz (0-1)"
        case "seanet_layer03", "seanet_layer04": return "seanet 6 kHz (3-4)"
        case "seanet_layer06", "seanet_layer07": return "seanet 1.2 kHz (6-7)"
        case "seanet_layer09", "seanet_layer10": return "seanet 200 Hz (9-10)"
        case "seanet_layer12", "seanet_layer14", "after_seanet": return "seanet 25 Hz (12-14)"
        case "after_transformer", "latent", "latent_projected": return "downsample + projections"
        default: return tap.hasPrefix("transformer") ? "transformer" : tap
        }
    }
}
