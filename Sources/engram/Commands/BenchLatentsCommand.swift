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
        }
    }
}
