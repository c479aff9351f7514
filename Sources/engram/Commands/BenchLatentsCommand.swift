import ArgumentParser
import AudioIO
import Encoders
import EngramCore
import Foundation

/// `engram bench latents`: throughput of the latents step's signal path on synthetic audio —
/// the 16 → 24 kHz resampler and the log-mel encoder — one thread, best of several repeats.
struct BenchLatentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "latents", abstract: "Resampler and log-mel encoder throughput.")
    @Option(help: "Seconds of synthetic 16 kHz audio.") var seconds: Double = 60
    @Option(help: "Repeats (the best time is reported).") var repeats: Int = 5
    @Option(help: "Mel bands.") var bands: Int = 64
    @Flag(help: "Also compare Mimi scheduling (released architecture, formula weights): utterances one at a time on all cores vs one utterance per core.")
    var mimi = false
    @Option(help: "Utterances for --mimi (each --seconds / 6 long).") var mimiUtterances: Int = 4

    func run() throws {
        try reportingErrors {
            guard seconds > 0, repeats > 0 else { throw EngramError("bench latents", "--seconds and --repeats must be positive") }
            var g = SplitMix64(seed: 1)
            let n = Int(seconds * 16000)
            let x = (0..<n).map { i in Float(0.3 * sin(Double(i) * 0.05)) + Float(g.nextInt(below: 1000)) / 10000 - 0.05 }
            func best(_ body: () throws -> Void) rethrows -> Double {
                var b = Double.infinity
                for _ in 0..<repeats {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    try body()
                    b = min(b, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                }
                return b
            }
            for (from, to) in [(16000, 24000), (24000, 16000), (44100, 24000)] {
                let r = Resampler(fromRate: from, toRate: to)
                let input = from == 16000 ? x : Resampler(fromRate: 16000, toRate: from).resample(x)
                var out = [Float]()
                let t = best { out = r.resample(input) }
                print(String(format: "resample %d→%d Hz: %.1f s of audio in %.4f s = %.0f× real time, %.1f M output samples/s",
                             from, to, seconds, t, seconds / t, Double(out.count) / t / 1e6))
            }
            let wave = Resampler(fromRate: 16000, toRate: 24000).resample(x)
            let mel = try MelEncoder(bands: bands)
            var y = [Float]()
            let t = try best { y = try mel.encode(wave) }
            print(String(format: "log-mel (%d bands, 3840-point DFT per 1920-sample frame): %d frames in %.4f s = %.0f× real time",
                         bands, y.count / bands, t, seconds / t))
            if mimi { try benchMimiScheduling(wave: Array(wave.prefix(Int(seconds / 6 * 24000)))) }
        }
    }

    /// The latents step's choice for Mimi: several utterances in flight with one thread each, versus
    /// one utterance at a time using every core inside the encoder.
    func benchMimiScheduling(wave: [Float]) throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let config = MimiConfig.released
        let enc = try MimiEncoder(weights: MimiWeightFormula.weights(config: config, entries: MimiWeightFormula.table(config: config)))
        let n = max(1, mimiUtterances)
        let audio = Double(n * wave.count) / 24000
        _ = try enc.encode(wave)   // warm-up
        enc.threads = cores
        var t0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<n { _ = try enc.encode(wave) }
        let sequential = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        enc.threads = 1
        t0 = DispatchTime.now().uptimeNanoseconds
        let queue = DispatchQueue(label: "bench")
        var next = 0
        DispatchQueue.concurrentPerform(iterations: cores) { _ in
            while true {
                let k: Int = queue.sync { defer { next += 1 }; return next }
                if k >= n { break }
                _ = try? enc.encode(wave)
            }
        }
        let perCore = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        print(String(format: "mimi, %d utterances of %.1f s: one at a time on %d threads %.2f s (%.1f× real time); one per core %.2f s (%.1f× real time)",
                     n, Double(wave.count) / 24000, cores, sequential, audio / sequential, perCore, audio / perCore))
    }
}
