// libFuzzer entry points for EngramAudio's readers. Built by scripts/fuzz/run-libfuzzer.sh into
// one module together with the sources of EngramCore (without the YAML config), Formats and
// AudioIO; the reader is chosen by ENGRAM_FUZZ_TARGET:
//   flac | wav | npy | safetensors | zarr | parquet | gzip | tar
// A reader may return a value or throw EngramError; anything else (a trap, an out-of-bounds
// access caught by AddressSanitizer, another error type, a hang) is a finding.
import Foundation

enum FuzzTarget: String, CaseIterable { case flac, wav, npy, safetensors, zarr, parquet, gzip, tar }

let fuzzTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["ENGRAM_FUZZ_TARGET"] ?? ""
    guard let t = FuzzTarget(rawValue: name) else {
        fatalError("set ENGRAM_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue))")
    }
    return t
}()
let scratchFile = URL(fileURLWithPath: "/dev/shm/engram-fuzz-\(getpid()).bin")

/// Writes seed inputs made by the project's own writers into ENGRAM_FUZZ_SEEDS (when set).
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    _ = fuzzTarget
    guard let dir = ProcessInfo.processInfo.environment["ENGRAM_FUZZ_SEEDS"] else { return 0 }
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for (i, seed) in ((try? makeSeeds(fuzzTarget)) ?? []).enumerated() {
        try? seed.write(to: URL(fileURLWithPath: dir).appendingPathComponent("seed-\(i)"))
    }
    return 0
}

func makeSeeds(_ t: FuzzTarget) throws -> [Data] {
    var g = SplitMix64(seed: 1)
    let floats = (0..<48).map { _ in Float(g.nextInt(below: 2001)) / 1000 - 1 }
    switch t {
    case .flac, .parquet: return []   // taken from Tests/Fixtures by the script
    case .wav:
        return [try WAVFile.encode(PCMAudio(channels: [(0..<64).map { Int32($0 * 300) }, (0..<64).map { Int32(-$0 * 200) }], sampleRate: 16000, bitsPerSample: 16)),
                try WAVFile.encode(FloatAudio(channels: [Array(floats[0..<32])], sampleRate: 24000))]
    case .npy:
        return [try NPY.encode(try NPYArray(floats: floats, shape: [6, 8])), try NPY.encode(try NPYArray(int64s: [1, -2, 3], shape: [3]))]
    case .safetensors:
        return [try Safetensors.encode(tensors: [SafetensorsTensor(name: "w", shape: [6, 8], floats: floats),
                                                 SafetensorsTensor(name: "b", dtype: .int64, shape: [2], data: Data(count: 16))], metadata: ["k": "v"])]
    case .zarr:
        // Input layout: 2-byte little-endian length of the .zarray JSON, the JSON, then one chunk.
        var out = [Data]()
        for compressor in [ZarrCompressor.zarrDefault, nil] {
            let meta = ZarrArrayMetadata(shape: [6, 8], chunks: [6, 8], dtype: .float32, compressor: compressor, fillValue: .float(0))
            let json = Data(JSON.serialize(meta.json).utf8)
            let raw = floats.withUnsafeBytes { Data($0) }
            let chunk = compressor == nil ? raw : try raw.withUnsafeBytes { try Blosc.compress($0, typesize: 4) }
            out.append(Data([UInt8(json.count & 0xFF), UInt8(json.count >> 8)]) + json + chunk)
        }
        return out
    case .gzip, .tar:
        return []   // made by scripts/archive_oracle.py in the script
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let data = Data(bytes: bytes, count: size)
    do {
        switch fuzzTarget {
        case .flac:
            _ = try FLACDecoder(verifyMD5: true).decode(data: data, path: "fuzz.flac")
        case .wav:
            _ = try WAVFile.read(data: data, path: "fuzz.wav")
        case .npy:
            let a = try NPY.decode(data, location: "fuzz.npy")
            precondition(a.data.count == a.count * a.dtype.byteSize)
        case .safetensors:
            try data.write(to: scratchFile)
            let f = try SafetensorsFile(scratchFile)
            for n in f.names {
                let t = try f.tensor(n)
                precondition(t.data.count == t.shape.reduce(1, *) * t.dtype.byteSize)
                if t.dtype.isFloatingPoint { _ = try f.floats(n) }
            }
        case .zarr:
            guard size >= 2 else { return 0 }
            let n = Int(bytes[0]) | Int(bytes[1]) << 8
            guard n <= size - 2 else { return 0 }
            let json = try JSON.parse(UnsafeRawBufferPointer(start: bytes + 2, count: n), location: "fuzz/.zarray")
            let meta = try ZarrArrayMetadata(json: json, location: "fuzz/.zarray")
            let chunkBytes = meta.chunkCount * meta.dtype.byteSize
            guard chunkBytes <= 1 << 22 else { return 0 }
            let stored = UnsafeRawBufferPointer(start: bytes + 2 + n, count: size - 2 - n)
            var out = [UInt8](repeating: 0, count: chunkBytes)
            switch meta.compressor {
            case .blosc?: try out.withUnsafeMutableBytes { try Blosc.decompress(stored, into: $0, location: "fuzz/0.0") }
            case .lz4?:
                if stored.count >= 4 {
                    _ = try out.withUnsafeMutableBytes { try LZ4.decompress(UnsafeRawBufferPointer(rebasing: stored[4...]), into: $0, location: "fuzz/0.0") }
                }
            case nil: break
            }
        case .parquet:
            _ = try ParquetReader.read(data, path: "fuzz.parquet")
        case .gzip:
            var produced = 0
            var given = false
            try Gzip.decompress(location: "fuzz.gz", source: { () -> [UInt8]? in
                if given { return nil }
                given = true
                return [UInt8](data)
            }, sink: { piece in
                produced += piece.count
                if produced > 64 << 20 { throw EngramError("fuzz.gz", "output cap") }   // a gzip bomb is valid input
            })
        case .tar:
            let tar = TarReader(location: "fuzz.tar") { _ in }
            try data.withUnsafeBytes { try tar.consume($0) }
            try tar.finish()
        }
    } catch is EngramError {
    } catch {
        fatalError("\(fuzzTarget) reader threw a non-EngramError: \(error)")
    }
    return 0
}
