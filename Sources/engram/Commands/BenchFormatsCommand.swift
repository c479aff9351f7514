import ArgumentParser
import Dispatch
import EngramCore
import Formats
import Foundation

/// `engram bench formats`: storage throughput. `--what zarr` writes and reads a latents store
/// (SPEC §2 layout) with our `LatentStore`, optionally next to zarr-python 2 doing the same
/// (`scripts/bench_zarr.py`, the research pipeline's access pattern) on the same machine.
/// Each format is one `run…` function below; `--what all` runs every one.
struct BenchFormatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "formats", abstract: "Zarr and Parquet read/write throughput.")

    enum What: String, ExpressibleByArgument, CaseIterable { case zarr, parquet, all }

    @Option(help: "Which format to benchmark: zarr, parquet or all.")
    var what: What = .zarr

    @Option(help: "Working folder (a fresh temporary folder if omitted; removed afterwards unless --keep).")
    var dir: String?

    @Flag(help: "Keep the written files.")
    var keep = false

    @Option(help: "Worker threads for our reader and writer (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Zarr: utterances in the latents store.")
    var utterances = 2000

    @Option(help: "Zarr: frames per utterance (T).")
    var frames = 250

    @Option(help: "Zarr: latent dimension (D).")
    var dim = 512

    @Flag(help: "Zarr: skip writing when --dir already holds our store from a --keep run (read-only benchmark).")
    var reuse = false

    @Flag(help: "Also run scripts/bench_zarr.py (zarr-python 2) on the same sizes and files, and print the ratio.")
    var comparePython = false

    func run() throws {
        try reportingErrors {
            let base = dir.map { URL(fileURLWithPath: $0) }
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("engram-bench-formats-\(getpid())")
            try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
            defer { if !keep { try? FileManager.default.removeItem(at: base) } }
            if what == .zarr || what == .all { try runZarr(base.appendingPathComponent("zarr")) }
            if what == .parquet || what == .all { try runParquet(base.appendingPathComponent("parquet")) }
        }
    }

    // MARK: Parquet

    @Option(help: "Parquet: rows of the phase0_frames table (details: `engram bench parquet --help`).")
    var rows = 5_000_000

    func runParquet(_ dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try ParquetBenchmark(rows: rows, repeats: 3, python: comparePython).run(in: dir)
    }

    // MARK: Zarr

    /// One throughput figure.
    struct Figure {
        /// Wall-clock seconds.
        var seconds: Double
        var bytes: Int
        var listSeconds: Double = 0
        /// Process CPU seconds (all threads): robust when the machine is shared.
        var cpuSeconds: Double = 0
        var mbPerSecond: Double { Double(bytes) / seconds / 1e6 }
        var mbPerCPUSecond: Double { Double(bytes) / max(cpuSeconds, 1e-9) / 1e6 }
    }

    static func cpuTime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    func runZarr(_ dir: URL) throws {
        guard utterances > 0, frames > 0, dim > 0, threads > 0 else { throw EngramError("bench formats", "sizes and --threads must be positive") }
        let ours = dir.appendingPathComponent("ours.zarr")
        if reuse, let store = try? LatentStore(openAt: ours), (try? store.utteranceIDs().count) == utterances {
            print("Zarr latents store (reused, read only): \(ours.path)")
            let (read, _) = try readAll(ours, expected: utterances)
            try store.consolidate()
            let (readConsolidated, _) = try readAll(ours, expected: utterances)
            try store.store.invalidateConsolidated()
            print(Self.header)
            print(row("ours", nil, read))
            print(row("ours (consolidated)", nil, readConsolidated))
            if comparePython { print(row("zarr-python (our store)", nil, try python([repoScript("bench_zarr.py"), "read", ours.path]))) }
            return
        }
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let bytesPerUtt = (frames * dim + 2 * frames) * 4
        print(String(format: "Zarr latents store: %d utterances x %d frames x %d dims, %.1f MB float32; %d threads",
                     utterances, frames, dim, Double(bytesPerUtt * utterances) / 1e6, threads))

        // Synthetic latents: smooth random walks (codec latents are temporally correlated), a pool of 8.
        var rng = EngramCore.SplitMix64(seed: 0)
        let pool: [Utterance] = (0..<8).map { k in
            var x = [Float](repeating: 0, count: frames * dim)
            for t in 0..<frames { for d in 0..<dim { x[t * dim + d] = (t > 0 ? x[(t - 1) * dim + d] : 0) + gaussianish(&rng) * 0.1 } }
            return Utterance(id: "", x: x, energy: (0..<frames).map { _ in abs(gaussianish(&rng)) },
                             timestamps: (0..<frames).map { Float($0) / 12.5 }, speakerID: 0, nFrames: frames, latentDim: dim)
        }
        let ids = (0..<utterances).map { i in "\(1000 + i)-\(i % 97)-\(String(format: "%06d", i))" }

        // Write.
        let store = try LatentStore(createAt: ours)
        let t0 = Date(), c0 = Self.cpuTime()
        try parallel(utterances) { i in
            var u = pool[i % pool.count]
            u.id = ids[i]
            u.speakerID = 1000 + i
            try store.write(u)
        }
        let write = Figure(seconds: Date().timeIntervalSince(t0), bytes: bytesPerUtt * utterances, cpuSeconds: Self.cpuTime() - c0)
        let onDisk = folderSize(ours)

        // Read (fresh open, list, read every utterance).
        let (read, checksum) = try readAll(ours, expected: utterances)
        try LatentStore(openAt: ours).consolidate()
        let (readConsolidated, _) = try readAll(ours, expected: utterances)

        print(String(format: "  on disk: %.1f MB (compression ratio %.2f)", Double(onDisk) / 1e6, Double(write.bytes) / Double(max(onDisk, 1))))
        print(Self.header)
        print(row("ours", write, read))
        print(row("ours (consolidated)", nil, readConsolidated))
        _ = checksum

        guard comparePython else { return }
        let script = repoScript("bench_zarr.py")
        let py = dir.appendingPathComponent("python.zarr")
        let pyWrite = try python([script, "write", py.path, "--utterances", "\(utterances)", "--frames", "\(frames)", "--dim", "\(dim)"])
        let pyReadOurs = try python([script, "read", ours.path])
        let pyReadTheirs = try python([script, "read", py.path])
        let (oursOnTheirs, _) = try readAll(py, expected: utterances)
        print(row("zarr-python (its store)", pyWrite, pyReadTheirs))
        print(row("zarr-python (our store)", nil, pyReadOurs))
        print(row("ours (zarr-python's store)", nil, oursOnTheirs))
        print(String(format: "  ratio ours / zarr-python, wall: write %.1fx, read %.1fx (each its own store), %.1fx (same store)",
                     write.mbPerSecond / pyWrite.mbPerSecond, read.mbPerSecond / pyReadTheirs.mbPerSecond,
                     read.mbPerSecond / pyReadOurs.mbPerSecond))
        print(String(format: "  ratio ours / zarr-python, per CPU-second: write %.1fx, read %.1fx (each its own store), %.1fx (same store)",
                     write.mbPerCPUSecond / pyWrite.mbPerCPUSecond, read.mbPerCPUSecond / pyReadTheirs.mbPerCPUSecond,
                     read.mbPerCPUSecond / pyReadOurs.mbPerCPUSecond))
    }

    static let header = "                             write MB/s (per CPU-s)   list s   read MB/s (per CPU-s)"

    func row(_ name: String, _ w: Figure?, _ r: Figure) -> String {
        let pad = name.count < 27 ? name + String(repeating: " ", count: 27 - name.count) : name
        let ws = w.map { String(format: "%10.1f (%7.1f)", $0.mbPerSecond, $0.mbPerCPUSecond) } ?? String(repeating: " ", count: 19) + "-"
        return "  " + pad + ws + String(format: " %8.3f %11.1f (%7.1f)", r.listSeconds, r.mbPerSecond, r.mbPerCPUSecond)
    }

    /// Opens the store, lists it and reads every utterance in parallel.
    func readAll(_ url: URL, expected: Int) throws -> (Figure, Double) {
        let t0 = Date(), c0 = Self.cpuTime()
        let store = try LatentStore(openAt: url)
        let ids = try store.utteranceIDs()
        let tList = Date().timeIntervalSince(t0)
        guard ids.count == expected else { throw EngramError(url.path, "listed \(ids.count) utterances, wrote \(expected)") }
        let sums = Locked([Double](repeating: 0, count: ids.count))
        let bytes = Locked(0)
        try parallel(ids.count) { i in
            let u = try store.read(ids[i])
            sums.update { $0[i] = Double(u.x.first ?? 0) }
            bytes.update { $0 += (u.x.count + u.energy.count + u.timestamps.count) * 4 }
        }
        let f = Figure(seconds: Date().timeIntervalSince(t0), bytes: bytes.value, listSeconds: tList, cpuSeconds: Self.cpuTime() - c0)
        return (f, sums.value.reduce(0, +))
    }

    /// Runs `body(i)` for i in 0..<n on `threads` workers (fixed interleaved assignment).
    func parallel(_ n: Int, _ body: (Int) throws -> Void) throws {
        let workers = max(1, min(threads, n))
        let firstError = Locked<Error?>(nil)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var i = w
            while i < n, firstError.value == nil {
                do { try body(i) } catch { firstError.update { if $0 == nil { $0 = error } } }
                i += workers
            }
        }
        if let e = firstError.value { throw e }
    }

    func python(_ args: [String]) throws -> Figure {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0,
              let line = String(data: data, encoding: .utf8)?.split(separator: "\n").last,
              let obj = try? JSON.parse(Data(line.utf8), location: "bench_zarr.py"),
              let s = obj["seconds"]?.doubleValue, let b = obj["bytes"]?.intValue else {
            throw EngramError("scripts/bench_zarr.py", "failed (exit \(p.terminationStatus)); is zarr<3 installed?")
        }
        return Figure(seconds: s, bytes: b, listSeconds: obj["list_seconds"]?.doubleValue ?? 0, cpuSeconds: obj["cpu_seconds"]?.doubleValue ?? 0)
    }

    func repoScript(_ name: String) -> String {
        // The executable lives in <repo>/.build/<config>/engram; fall back to the working directory.
        var u = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            let c = u.appendingPathComponent("scripts/\(name)")
            if FileManager.default.fileExists(atPath: c.path) { return c.path }
            u = u.deletingLastPathComponent()
        }
        return "scripts/\(name)"
    }

    func folderSize(_ url: URL) -> Int {
        guard let e = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) else { return 0 }
        var total = 0
        for case let f as URL in e {
            guard let v = try? f.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey]), v.isRegularFile == true else { continue }
            total += v.fileSize ?? 0
        }
        return total
    }
}

/// A value guarded by a lock.
final class Locked<T>: @unchecked Sendable {
    private var v: T
    private let lock = NSLock()
    init(_ v: T) { self.v = v }
    var value: T { lock.lock(); defer { lock.unlock() }; return v }
    func update(_ f: (inout T) -> Void) { lock.lock(); f(&v); lock.unlock() }
}

/// A cheap bell-shaped value (scaled sum of four uniforms, unit variance), for synthetic data.
func gaussianish(_ rng: inout EngramCore.SplitMix64) -> Float {
    var s = 0.0
    for _ in 0..<4 { s += rng.nextDouble() }
    return Float((s - 2) * 1.7320508)
}
