import Foundation
import EngramCore

/// Read access to a latents store (SPEC §2 layout: one group per utterance with `x` [T, D] float32,
/// `energy` [T] float32 and attribute `speaker_id`). The Zarr store implements it; tests may use
/// an in-memory double.
public protocol LatentReading {
    /// Where the store is (for messages).
    var location: String { get }
    /// Whether the store has a group for `id`.
    func contains(_ id: String) -> Bool
    /// T and D of `x` without reading the values.
    func shape(of id: String) throws -> (frames: Int, dim: Int)
    /// Reads `x` [T, D] row-major float32 into `buffer` (exactly T·D values).
    func readLatents(_ id: String, into buffer: UnsafeMutableBufferPointer<Float>) throws
    /// Reads `energy` [T] float32.
    func readEnergy(_ id: String) throws -> [Float]
}

extension LatentReading {
    /// Reads `x` as a new array.
    public func readLatents(_ id: String) throws -> [Float] {
        let s = try shape(of: id)
        var out = [Float](repeating: 0, count: s.frames * s.dim)
        try out.withUnsafeMutableBufferPointer { try readLatents(id, into: $0) }
        return out
    }
}

/// An in-memory latents store (tests, synthetic data).
public final class InMemoryLatents: LatentReading, @unchecked Sendable {
    public struct Utterance {
        public var x: [Float]
        public var frames: Int
        public var dim: Int
        public var energy: [Float]
        public init(x: [Float], frames: Int, dim: Int, energy: [Float]) {
            self.x = x; self.frames = frames; self.dim = dim; self.energy = energy
        }
    }
    public var utterances: [String: Utterance]
    public let location: String

    public init(_ utterances: [String: Utterance] = [:], location: String = "<memory>") {
        self.utterances = utterances
        self.location = location
    }

    public func contains(_ id: String) -> Bool { utterances[id] != nil }

    public func shape(of id: String) throws -> (frames: Int, dim: Int) {
        guard let u = utterances[id] else { throw EngramError("\(location)/\(id)", "no such utterance in the latents store") }
        return (u.frames, u.dim)
    }

    public func readLatents(_ id: String, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard let u = utterances[id] else { throw EngramError("\(location)/\(id)", "no such utterance in the latents store") }
        guard buffer.count == u.x.count else { throw EngramError("\(location)/\(id)/x", "buffer holds \(buffer.count) values, x has \(u.x.count)") }
        _ = buffer.update(fromContentsOf: u.x)
    }

    public func readEnergy(_ id: String) throws -> [Float] {
        guard let u = utterances[id] else { throw EngramError("\(location)/\(id)", "no such utterance in the latents store") }
        return u.energy
    }
}
