import ArgumentParser
import AudioIO
import EngramCore
import Foundation

/// `engram bench flac DIR`: FLAC decode throughput on every .flac under DIR (files read into memory
/// first, so disk speed is excluded), on one thread and across cores; optionally side by side with
/// the reference `flac -t` on the same files.
struct BenchFLACCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "flac", abstract: "FLAC decode throughput on a folder.")

    @Argument(help: "Folder searched recursively for .flac files.")
    var dir: String

    @Option(help: "Worker threads for the parallel pass (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Use at most this many files (sorted by path).")
    var limit: Int?

    @Option(help: "Timed passes per measurement; the fastest is reported.")
    var passes: Int = 3

    @Flag(help: "Also time the reference decoder (`flac -t`, decode + MD5 check) on the same files.")
    var compareFlac = false

    @Flag(help: "Also time our encoder on the decoded audio and compare its output size with the input files.")
    var encode = false

    func run() throws {
        try reportingErrors {
            let files = try Self.findFLAC(URL(fileURLWithPath: dir)).prefix(limit ?? Int.max)
            guard !files.isEmpty else { throw EngramError(dir, "no .flac files found") }
            let blobs = try files.map { u -> Data in
                do { return try Data(contentsOf: u) } catch { throw EngramError(u.path, "cannot read: \(error.localizedDescription)") }
            }
            let inBytes = blobs.reduce(0) { $0 + $1.count }
            // One untimed pass: validates every file and counts samples.
            var samples = 0, pcmBytes = 0, seconds = 0.0
            let check = FLACDecoder(verifyMD5: true)
            var decoded = [PCMAudio]()
            for (u, d) in zip(files, blobs) {
                let a = try check.decode(data: d, path: u.path)
                if encode { decoded.append(a) }
                samples += a.frameCount * a.channelCount
                pcmBytes += a.frameCount * a.channelCount * ((a.bitsPerSample + 7) / 8)
                seconds += a.duration
            }
            print(String(format: "%d files, %.1f MB FLAC, %.1f MB PCM, %.1f min of audio", files.count,
                         Double(inBytes) / 1e6, Double(pcmBytes) / 1e6, seconds / 60))
            print("times: best of \(max(1, passes)) passes; CPU seconds of the decoding thread (or of the flac child process),")
            print("which a busy shared machine distorts less than wall time; the parallel pass is wall time.")
            func report(_ name: String, _ t: Double, _ totals: (flac: Int, pcm: Int, samples: Int, files: Int, seconds: Double)? = nil) {
                let s = totals ?? (inBytes, pcmBytes, samples, files.count, seconds)
                let label = name.padding(toLength: 34, withPad: " ", startingAt: 0)
                print(label + String(format: " %7.3f s  %7.1f MB/s FLAC  %7.1f MB/s PCM  %6.1f Msamples/s  %7.1f files/s  %6.0fx realtime",
                             t, Double(s.flac) / 1e6 / t, Double(s.pcm) / 1e6 / t,
                             Double(s.samples) / 1e6 / t, Double(s.files) / t, s.seconds / t))
            }
            func best(_ clock: () -> Double, _ body: () throws -> Void) rethrows -> Double {
                var b = Double.infinity
                for _ in 0..<max(1, passes) {
                    let t0 = clock()
                    try body()
                    b = min(b, clock() - t0)
                }
                return b
            }
            let single = FLACDecoder()
            let tSingle = try best(Self.threadCPUTime) { for (u, d) in zip(files, blobs) { _ = try single.decode(data: d, path: u.path) } }
            report("engram, 1 thread", tSingle)
            single.verifyMD5 = true
            let tSingleMD5 = try best(Self.threadCPUTime) { for (u, d) in zip(files, blobs) { _ = try single.decode(data: d, path: u.path) } }
            report("engram, 1 thread, MD5 check", tSingleMD5)
            single.verifyMD5 = false
            let tFloat = try best(Self.threadCPUTime) { for (u, d) in zip(files, blobs) { _ = try single.decodeMonoFloat(data: d, path: u.path) } }
            report("engram, 1 thread, mono Float32", tFloat)
            let paths = files.map(\.path)
            let tPar = try best(Self.wallTime) {
                for r in FLACBatch.map(count: blobs.count, threads: threads, { d, i in try d.decode(data: blobs[i], path: paths[i]).frameCount }) {
                    _ = try r.get()
                }
            }
            report("engram, \(threads) threads (wall)", tPar)
            if encode {
                // The encoder covers 4-24 bits; others are left out of this comparison.
                let pairs = zip(decoded, blobs).filter { $0.0.bitsPerSample <= 24 }
                decoded = pairs.map(\.0)
                let encodedInBytes = pairs.reduce(0) { $0 + $1.1.count }
                var outBytes = 0
                let tEnc = try best(Self.threadCPUTime) {
                    outBytes = 0
                    for a in decoded { outBytes += try FLACEncoder.encode(a).count }
                }
                let encSamples = decoded.reduce(0) { $0 + $1.frameCount * $1.channelCount }
                let encPCM = decoded.reduce(0) { $0 + $1.frameCount * $1.channelCount * (($1.bitsPerSample + 7) / 8) }
                report("engram encoder, 1 thread", tEnc, (outBytes, encPCM, encSamples, decoded.count, decoded.reduce(0) { $0 + $1.duration }))
                for (a, u) in zip(decoded, files) where try check.decode(data: FLACEncoder.encode(a), path: u.path) != a {
                    throw EngramError(u.path, "encoder round trip differs")
                }
                print(String(format: "encoder output %.2f MB = %.3f x the %d input files' size (round trip verified)",
                             Double(outBytes) / 1e6, Double(outBytes) / Double(encodedInBytes), decoded.count))
            }
            if compareFlac {
                let tRef = try best(Self.childrenCPUTime) { try Self.runFlacTest(paths) }
                report("flac -t (libFLAC 1 process, CPU)", tRef)
                print(String(format: "speed ratio engram / libFLAC: %.2f (decode + MD5 vs flac -t), %.2f (decode without MD5 vs flac -t)",
                             tRef / tSingleMD5, tRef / tSingle))
            }
        }
    }

    static func wallTime() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    static func threadCPUTime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// User + system CPU time of finished child processes.
    static func childrenCPUTime() -> Double {
        var ru = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &ru)
        return Double(ru.ru_utime.tv_sec) + Double(ru.ru_utime.tv_usec) / 1e6 + Double(ru.ru_stime.tv_sec) + Double(ru.ru_stime.tv_usec) / 1e6
    }

    static func findFLAC(_ root: URL) throws -> [URL] {
        guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw EngramError(root.path, "cannot list folder")
        }
        var out = [URL]()
        for case let u as URL in e where u.pathExtension.lowercased() == "flac" { out.append(u) }
        return out.sorted { $0.path < $1.path }
    }

    /// `flac -t -s` over the files, 200 per process.
    static func runFlacTest(_ paths: [String]) throws {
        var i = 0
        while i < paths.count {
            let chunk = Array(paths[i..<min(i + 200, paths.count)])
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["flac", "-t", "-s"] + chunk
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            do { try p.run() } catch { throw EngramError("flac", "cannot run the reference decoder: \(error.localizedDescription)") }
            p.waitUntilExit()
            if p.terminationStatus != 0 { throw EngramError("flac", "flac -t failed (status \(p.terminationStatus))") }
            i += 200
        }
    }
}
