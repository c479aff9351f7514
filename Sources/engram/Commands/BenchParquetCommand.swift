import ArgumentParser
import EngramCore
import Formats
import Foundation

/// `engram bench parquet`: write and read a synthetic `phase0_frames.parquet` (SPEC §3 columns,
/// default 5 M rows) with our writer/reader, and the same data with pyarrow
/// (`scripts/bench_parquet.py`) on the same machine. Times are the best of `--repeats` runs.
struct BenchParquetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "parquet", abstract: "Parquet write/read throughput, ours vs pyarrow.")

    @Option(help: "Rows of the phase0_frames table.")
    var rows = 5_000_000

    @Option(help: "Timed repetitions per operation (best is reported).")
    var repeats = 3

    @Option(help: "Working folder (a fresh temporary folder if omitted; removed afterwards unless --keep).")
    var dir: String?

    @Flag(help: "Keep the written files.")
    var keep = false

    @Flag(help: "Skip the pyarrow comparison.")
    var noPython = false

    func run() throws {
        try reportingErrors {
            let base = dir.map { URL(fileURLWithPath: $0) }
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("engram-bench-parquet-\(getpid())")
            try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
            defer { if !keep && dir == nil { try? FileManager.default.removeItem(at: base) } }
            try ParquetBenchmark(rows: rows, repeats: repeats, python: !noPython).run(in: base)
        }
    }
}

/// The Parquet benchmark, callable from `bench parquet` and `bench formats`.
struct ParquetBenchmark {
    var rows: Int
    var repeats: Int
    var python: Bool

    /// A phase0_frames-like table: utterances of 40–260 frames (12.5 Hz), 251 speakers, valid
    /// targets from t = 11, float32 energies, `is_high_energy` against the median.
    static func syntheticFrames(rows: Int, seed: UInt64 = 1) -> Phase0FramesTable {
        var rng = SplitMix64(seed: seed)
        var f = Phase0FramesTable()
        f.reserveCapacity(rows)
        var utt = 0
        while f.count < rows {
            let speaker = Int64([19, 26, 27, 32, 39, 40, 60, 78, 83, 87][utt % 10] + 100 * (utt / 130 % 25))
            let T = 40 + rng.nextInt(below: 220)
            let id = "\(speaker)-\(1000 + utt / 13)-\(String(format: "%04d", utt % 13))"
            let split = utt % 10 < 8 ? "train" : "eval"
            var level = rng.nextDouble()
            for t in 11..<T where f.count < rows {
                level = min(1, max(0, level + (rng.nextDouble() - 0.5) * 0.1))
                f.utteranceId.append(id)
                f.speakerId.append(speaker)
                f.t.append(Int64(t))
                f.posFrac.append(Double(t) / Double(T))
                f.energy.append(Float(level * 0.2 + rng.nextDouble() * 0.01))
                f.split.append(split)
            }
            utt += 1
        }
        let median = f.energy.sorted()[f.count / 2]
        f.isHighEnergy = f.energy.map { $0 > median }
        return f
    }

    func best(_ body: () throws -> Void) rethrows -> Double {
        var b = Double.infinity
        for _ in 0..<max(1, repeats) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            b = min(b, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return b
    }

    func run(in dir: URL) throws {
        let frames = Self.syntheticFrames(rows: rows)
        let table = frames.table
        let oursDict = dir.appendingPathComponent("ours_snappy_dict.parquet")
        let oursPlain = dir.appendingPathComponent("ours_snappy_plain.parquet")
        let oursNone = dir.appendingPathComponent("ours_uncompressed_plain.parquet")
        print("phase0_frames: \(rows) rows × \(table.columns.count) columns, \(ProcessInfo.processInfo.activeProcessorCount) cores, best of \(repeats)")
        let encodeDict = try best { _ = try ParquetWriter.encodeData(table, compression: .snappy) }
        let encodePlain = try best { _ = try ParquetWriter.encodeData(table, compression: .snappy, dictionary: false) }
        let writeDict = try best { try ParquetWriter.write(table, to: oursDict, compression: .snappy) }
        let writePlain = try best { try ParquetWriter.write(table, to: oursPlain, compression: .snappy, dictionary: false) }
        let writeNone = try best { try ParquetWriter.write(table, to: oursNone, compression: .uncompressed, dictionary: false) }
        var readBack = ParquetTable()
        let readDict = try best { readBack = try ParquetReader.read(oursDict) }
        guard readBack == table else { throw EngramError(oursDict.path, "benchmark read-back differs from the written table") }
        let readPlain = try best { readBack = try ParquetReader.read(oursPlain) }
        guard readBack == table else { throw EngramError(oursPlain.path, "benchmark read-back differs from the written table") }
        let readNone = try best { _ = try ParquetReader.read(oursNone) }
        func size(_ u: URL) -> String {
            let n = (try? FileManager.default.attributesOfItem(atPath: u.path)[.size] as? Int) ?? 0
            return String(format: "%6.1f MB", Double(n) / 1e6)
        }
        func line(_ who: String, _ what: String, _ s: Double, _ file: URL? = nil) {
            let pad = what.padding(toLength: 34, withPad: " ", startingAt: 0)
            print("\(who.padding(toLength: 8, withPad: " ", startingAt: 0))\(pad)\(String(format: "%7.3f s %6.1f Mrows/s", s, Double(rows) / s / 1e6))\(file.map { "  " + size($0) } ?? "")")
        }
        line("ours", "encode SNAPPY dictionary (RAM)", encodeDict)
        line("ours", "encode SNAPPY PLAIN (RAM)", encodePlain)
        line("ours", "write SNAPPY dictionary", writeDict, oursDict)
        line("ours", "write SNAPPY PLAIN", writePlain, oursPlain)
        line("ours", "write UNCOMPRESSED PLAIN", writeNone, oursNone)
        line("ours", "read our SNAPPY dict file", readDict)
        line("ours", "read our SNAPPY PLAIN file", readPlain)
        line("ours", "read our UNCOMPRESSED file", readNone)
        print("        (our file writes are atomic: temporary file + fsync + rename; pyarrow's are not)")
        // Snappy alone: the uncompressed file's bytes in 1 MiB blocks (like pages), one thread.
        let raw = [UInt8](try Data(contentsOf: oursNone))
        let blocks = stride(from: 0, to: raw.count, by: 1 << 20).map { Array(raw[$0..<min(raw.count, $0 + (1 << 20))]) }
        var packed: [[UInt8]] = []
        let snappyCompress = best { packed = blocks.map { Snappy.compress($0) } }
        let snappyDecompress = try best { for (p, b) in zip(packed, blocks) { _ = try Snappy.decompress(p, expectedLength: b.count, location: "bench") } }
        let packedBytes = packed.reduce(0) { $0 + $1.count }
        func mbs(_ s: Double) -> String { String(format: "%7.3f s %6.0f MB/s", s, Double(raw.count) / s / 1e6) }
        func pad(_ who: String, _ what: String) -> String {
            who.padding(toLength: 8, withPad: " ", startingAt: 0) + what.padding(toLength: 34, withPad: " ", startingAt: 0)
        }
        print("Snappy on the UNCOMPRESSED file's \(raw.count / 1_000_000) MB in 1 MiB blocks, one thread:")
        print(pad("ours", "Snappy compress") + mbs(snappyCompress) + "  → \(packedBytes / 1_000_000) MB")
        print(pad("ours", "Snappy decompress") + mbs(snappyDecompress))
        guard python else { return }

        let script = repoScript("bench_parquet.py")
        let r = try runPython([script, oursPlain.path, oursDict.path, oursNone.path, dir.path, String(repeats)])
        guard let json = try JSONSerialization.jsonObject(with: Data(r.utf8)) as? [String: Any] else {
            throw EngramError(script, "unexpected output: \(r)")
        }
        func num(_ k: String) -> Double { (json[k] as? NSNumber)?.doubleValue ?? .nan }
        let pyPlain = dir.appendingPathComponent("pyarrow_plain.parquet")
        let pyDict = dir.appendingPathComponent("pyarrow_dict.parquet")
        var check = ParquetTable()
        let readPyPlain = try best { check = try ParquetReader.read(pyPlain) }
        guard check == table else { throw EngramError(pyPlain.path, "our read of pyarrow's file differs from the table") }
        let readPyDict = try best { check = try ParquetReader.read(pyDict) }
        guard check == table else { throw EngramError(pyDict.path, "our read of pyarrow's file differs from the table") }
        print("pyarrow \(json["pyarrow"] ?? "?"), pandas \(json["pandas"] ?? "?"), \(json["threads"] ?? "?") threads")
        line("pyarrow", "encode SNAPPY dictionary (RAM)", num("encode_dict"))
        line("pyarrow", "encode SNAPPY PLAIN (RAM)", num("encode_plain"))
        line("pyarrow", "write SNAPPY dictionary (default)", num("write_dict"), pyDict)
        line("pyarrow", "write SNAPPY PLAIN", num("write_plain"), pyPlain)
        line("pyarrow", "read our SNAPPY dict file", num("read_ours_dict"))
        line("pyarrow", "read our SNAPPY PLAIN file", num("read_ours_plain"))
        line("pyarrow", "read its dictionary file", num("read_dict"))
        line("pyarrow", "read its PLAIN file", num("read_plain"))
        line("pandas", "read pyarrow dictionary file", num("pandas_read_dict"))
        print(pad("pyarrow", "Snappy compress (reference lib)") + mbs(num("snappy_compress")) + "  → \(Int(num("snappy_compressed_bytes")) / 1_000_000) MB")
        print(pad("pyarrow", "Snappy decompress (reference lib)") + mbs(num("snappy_decompress")))
        line("ours", "read pyarrow dictionary file", readPyDict)
        line("ours", "read pyarrow PLAIN file", readPyPlain)
        func ratio(_ name: String, _ theirs: Double, _ ours: Double) {
            print("  \(name.padding(toLength: 48, withPad: " ", startingAt: 0))\(String(format: "%.2f", theirs / ours))")
        }
        print("ratios, pyarrow time / our time (> 1: we are faster):")
        ratio("encode SNAPPY in memory, dictionary", num("encode_dict"), encodeDict)
        ratio("encode SNAPPY in memory, PLAIN", num("encode_plain"), encodePlain)
        ratio("write SNAPPY file, dictionary (ours + fsync)", num("write_dict"), writeDict)
        ratio("write SNAPPY file, PLAIN (ours + fsync)", num("write_plain"), writePlain)
        ratio("Snappy compress", num("snappy_compress"), snappyCompress)
        ratio("Snappy decompress", num("snappy_decompress"), snappyDecompress)
        ratio("read own SNAPPY dictionary file", num("read_dict"), readDict)
        ratio("read own SNAPPY PLAIN file", num("read_plain"), readPlain)
        ratio("read pyarrow's dictionary file (same file)", num("read_dict"), readPyDict)
        ratio("read pyarrow's PLAIN file (same file)", num("read_plain"), readPyPlain)
    }

    func repoScript(_ name: String) -> String {
        // The executable lives in <repo>/.build/<config>/engram; fall back to the working folder.
        var u = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let c = u.appendingPathComponent("scripts/\(name)")
            if FileManager.default.fileExists(atPath: c.path) { return c.path }
            u.deleteLastPathComponent()
        }
        return "scripts/\(name)"
    }

    func runPython(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw EngramError(args[0], "python3 failed (\(p.terminationStatus)): \(String(decoding: e, as: UTF8.self))")
        }
        return String(decoding: o, as: UTF8.self)
    }
}
