import Foundation
import EngramCore
import Formats

/// `LatentReading` over the Zarr latents store of SPEC §2 (ours or the research pipeline's).
public final class ZarrLatents: LatentReading, @unchecked Sendable {
    public let store: LatentStore
    public var location: String { store.root.path }

    public init(store: LatentStore) { self.store = store }

    /// Opens `output.latents_dir`.
    public convenience init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw EngramError(path, "latents store not found (run `engram phase0 latents` or `engram synth-latents` first)")
        }
        self.init(store: try LatentStore(openAt: URL(fileURLWithPath: path)))
    }

    public func contains(_ id: String) -> Bool { (try? store.store.isGroup(id)) == true }

    public func shape(of id: String) throws -> (frames: Int, dim: Int) {
        let a = try xArray(id)
        guard a.shape.count == 2 else { throw EngramError("\(location)/\(id)/x", "has shape \(a.shape), expected [T, D]") }
        return (a.shape[0], a.shape[1])
    }

    public func readLatents(_ id: String, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let a = try xArray(id)
        guard a.shape.reduce(1, *) == buffer.count else {
            throw EngramError("\(location)/\(id)/x", "has \(a.shape.reduce(1, *)) values, expected \(buffer.count)")
        }
        if a.dtype == .float32 {
            try a.read(into: UnsafeMutableRawBufferPointer(buffer))
        } else {
            let v = try a.readFloats()
            _ = buffer.update(fromContentsOf: v)
        }
    }

    public func readEnergy(_ id: String) throws -> [Float] {
        guard try store.store.isArray(id + "/energy") else { throw EngramError("\(location)/\(id)/energy", "missing") }
        return try store.store.array(id + "/energy").readFloats()
    }

    private func xArray(_ id: String) throws -> ZarrArray {
        guard try store.store.isArray(id + "/x") else {
            throw EngramError("\(location)/\(id)", "no latents array x for this utterance in the store")
        }
        return try store.store.array(id + "/x")
    }
}
