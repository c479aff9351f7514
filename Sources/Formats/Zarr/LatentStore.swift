import EngramCore
import Foundation

/// One utterance's latents as stored in `latents.zarr` (SPEC §2).
public struct Utterance: Equatable, Sendable {
    public var id: String
    /// Latent frames, [T, D] row-major float32.
    public var x: [Float]
    /// Per-frame RMS energy of the 24 kHz waveform, [T].
    public var energy: [Float]
    /// Frame times in seconds (t / frame_rate), [T].
    public var timestamps: [Float]
    public var speakerID: Int
    /// T.
    public var nFrames: Int
    /// D.
    public var latentDim: Int

    public init(id: String, x: [Float], energy: [Float], timestamps: [Float], speakerID: Int, nFrames: Int, latentDim: Int) {
        self.id = id
        self.x = x
        self.energy = energy
        self.timestamps = timestamps
        self.speakerID = speakerID
        self.nFrames = nFrames
        self.latentDim = latentDim
    }
}

/// The latents store of SPEC §2: a Zarr v2 group per utterance id with float32 arrays `x` [T, D],
/// `energy` [T], `timestamps` [T] and group attributes exactly `speaker_id`, `n_frames`,
/// `latent_dim`. Readable and writable by zarr-python 2, and reads stores zarr-python wrote.
///
/// Writes are atomic per utterance: the group is written into a hidden temporary sibling folder
/// (`.<id>.tmp-…`, `.zgroup` last) and renamed into place, so an interrupted run never leaves a
/// group that looks complete. Each array is one chunk, compressed like zarr-python 2's default
/// (Blosc LZ4, byte shuffle, clevel 5); files are not fsynced (the rename is the commit point).
/// Reads are thread-safe; write different ids from different threads freely.
public final class LatentStore: @unchecked Sendable {
    public let store: ZarrStore
    public var root: URL { store.root }
    /// Compressor for newly written arrays (nil = uncompressed).
    public var compressor: ZarrCompressor? = .zarrDefault

    /// Opens an existing store (a folder with `.zgroup`). `useConsolidated`: read `.zmetadata` if present.
    public init(openAt root: URL, useConsolidated: Bool = true) throws {
        store = try ZarrStore(root: root, useConsolidated: useConsolidated)
        guard try store.isGroup("") else { throw EngramError(root.path, "not a Zarr group (missing .zgroup)") }
    }

    /// Opens the store, creating an empty one if the folder does not exist.
    public init(createAt root: URL) throws {
        store = try ZarrStore.create(root: root)
    }

    /// Utterance ids (child groups of the root), sorted. Hidden staging folders are ignored.
    public func utteranceIDs() throws -> [String] {
        try store.children("").groups
    }

    static func validID(_ id: String) -> Bool {
        !id.isEmpty && !id.hasPrefix(".") && !id.contains("/") && !id.contains("\0")
    }

    // MARK: read

    /// Reads one utterance. Throws naming the store and id when anything is missing or inconsistent.
    public func read(_ id: String) throws -> Utterance {
        let loc = store.path(id)
        guard Self.validID(id) else { throw EngramError(root.path, "invalid utterance id '\(id)'") }
        let attrs = try store.attributes(id)
        if attrs.isEmpty, try !store.isGroup(id) { throw EngramError(loc, "no utterance group '\(id)' in the latents store") }
        let (speaker, nFrames, latentDim) = try Self.parseAttributes(attrs, location: loc + "/.zattrs")
        let xa = try store.array(id + "/x")
        guard xa.shape == [nFrames, latentDim] else {
            throw EngramError(loc + "/x", "shape \(xa.shape) disagrees with attributes n_frames=\(nFrames), latent_dim=\(latentDim)")
        }
        let ea = try store.array(id + "/energy"), ta = try store.array(id + "/timestamps")
        guard ea.shape == [nFrames] else { throw EngramError(loc + "/energy", "shape \(ea.shape), expected [\(nFrames)]") }
        guard ta.shape == [nFrames] else { throw EngramError(loc + "/timestamps", "shape \(ta.shape), expected [\(nFrames)]") }
        return Utterance(id: id, x: try xa.readFloats(), energy: try ea.readFloats(), timestamps: try ta.readFloats(),
                         speakerID: speaker, nFrames: nFrames, latentDim: latentDim)
    }

    static func parseAttributes(_ attrs: JSONObject, location: String) throws -> (Int, Int, Int) {
        func int(_ key: String) throws -> Int {
            guard let v = attrs[key] else { throw EngramError(location, "missing attribute '\(key)'") }
            if let i = v.intValue { return i }
            if let s = v.stringValue, let i = Int(s) { return i }
            throw EngramError(location, "attribute '\(key)' is not an integer: \(JSON.serialize(v, indent: nil))")
        }
        let s = try int("speaker_id"), t = try int("n_frames"), d = try int("latent_dim")
        guard t >= 0, d >= 0 else { throw EngramError(location, "negative n_frames or latent_dim") }
        return (s, t, d)
    }

    /// True when the group has its attributes, all three arrays with consistent shapes and every
    /// chunk file (stores written elsewhere may have been interrupted mid-group).
    public func isComplete(_ id: String) -> Bool {
        guard Self.validID(id), (try? store.isGroup(id)) == true,
              let attrs = try? store.attributes(id),
              let (_, t, d) = try? Self.parseAttributes(attrs, location: "") else { return false }
        for (name, shape) in [("x", [t, d]), ("energy", [t]), ("timestamps", [t])] {
            guard let a = try? store.array(id + "/" + name), a.shape == shape, a.dtype == .float32 else { return false }
            var ok = true
            a.forEachChunk { idx in
                if ok && !store.dir.exists(id + "/" + name + "/" + a.metadata.chunkKey(idx)) { ok = false }
            }
            if !ok { return false }
        }
        return true
    }

    // MARK: write

    /// Writes (or replaces) one utterance atomically. `x` is [T, D] row-major float32.
    public func write(id: String, x: [Float], T: Int, D: Int, energy: [Float], timestamps: [Float], speakerID: Int) throws {
        let loc = store.path(id)
        guard Self.validID(id) else { throw EngramError(root.path, "invalid utterance id '\(id)'") }
        guard T >= 0, D >= 0, x.count == T * D else { throw EngramError(loc, "x has \(x.count) values, expected T×D = \(T)×\(D)") }
        guard energy.count == T else { throw EngramError(loc, "energy has \(energy.count) values, expected T = \(T)") }
        guard timestamps.count == T else { throw EngramError(loc, "timestamps has \(timestamps.count) values, expected T = \(T)") }

        let stagingName = ".\(id).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let staging = root.appendingPathComponent(stagingName)
        do {
            let d = store.dir
            try d.makeDirectory(stagingName)
            var attrs = JSONObject()
            attrs["latent_dim"] = .int(Int64(D))
            attrs["n_frames"] = .int(Int64(T))
            attrs["speaker_id"] = .int(Int64(speakerID))
            try d.writeFile(JSON.serialize(.object(attrs)), stagingName + "/.zattrs")
            // Chunks span the whole array (at least one row, as zarr requires chunk sizes ≥ 1).
            let arrays: [(String, [Int], [Float])] = [("x", [T, D], x), ("energy", [T], energy), ("timestamps", [T], timestamps)]
            for (name, shape, values) in arrays {
                let meta = ZarrArrayMetadata(shape: shape, chunks: shape.map { max($0, 1) }, dtype: .float32,
                                             compressor: compressor, fillValue: .float(0))
                try d.makeDirectory(stagingName + "/" + name)
                try d.writeFile(JSON.serialize(meta.json), stagingName + "/" + name + "/.zarray")
                try ZarrArray(store: store, path: stagingName + "/" + name, metadata: meta).write(floats: values)
            }
            try d.writeFile(ZarrStore.zgroupText, stagingName + "/.zgroup")
            try store.invalidateConsolidated()
            try AtomicFile.commitDirectory(staging, to: root.appendingPathComponent(id))
        } catch {
            try? FileManager.default.removeItem(at: staging)
            if let e = error as? EngramError { throw e }
            throw EngramError(loc, "write failed: \(error.localizedDescription)")
        }
    }

    public func write(_ u: Utterance) throws {
        try write(id: u.id, x: u.x, T: u.nFrames, D: u.latentDim, energy: u.energy, timestamps: u.timestamps, speakerID: u.speakerID)
    }

    /// Writes `.zmetadata` so later opens (ours or `zarr.open_consolidated`) read all metadata at once.
    public func consolidate() throws { try store.consolidate() }
}
