import Foundation
import XCTest
@testable import Encoders
import TestSupport

/// The released architecture (38.9 M encoder parameters, weights from the fixtures' formula)
/// on 12.8 s of audio = 320 transformer steps, more than the 250-step attention window, against
/// moshi's offline `encode_to_latent` and its quantizer projections.
final class MimiFullParityTests: XCTestCase {
    /// One run shared by the tests below (a few seconds even in debug builds: Encoders is optimised).
    static let run: Result<(latents: [Float], taps: [String: [Float]]), Error> = Result {
        let w = try MimiWeightFormula.weights(config: .released, entries: try MimiFixtures.table("full"))
        let enc = try MimiEncoder(weights: w, project: true, chunkFrames: 1000)   // one chunk: the offline computation
        return try encodeWithTaps(enc, try MimiFixtures.input(), only: ["after_seanet", "after_transformer", "latent"])
    }

    func testLatentsMatchMoshi() throws {
        let r = try Self.run.get()
        XCTAssertEqual(r.latents.count, 160 * 512)
        assertRelClose(r.taps["latent"]!, try MimiFixtures.timeMajor("full/latent.npy").values, tol: 1e-5, "full raw latent")
        assertRelClose(r.latents, try MimiFixtures.timeMajor("full/latent_projected.npy").values, tol: 1e-5, "full projected latent")
    }

    func testIntermediateStages() throws {
        let r = try Self.run.get()
        let seanet = try MimiFixtures.timeMajor("full/after_seanet_steps000-080.npy")
        assertRelClose(Array(r.taps["after_seanet"]!.prefix(80 * 512)), seanet.values, tol: 1e-5, "after SEANet, steps 0..<80")
        // Steps 240..<320 attend over the full 250-step window (and past its start).
        let tr = try MimiFixtures.timeMajor("full/after_transformer_steps240-320.npy")
        assertRelClose(Array(r.taps["after_transformer"]![(240 * 512)..<(320 * 512)]), tr.values, tol: 1e-5, "after transformer, steps 240..<320")
    }

    /// The chunked path (1.28 s chunks, state carried across 10 chunk boundaries, KV window
    /// crossing chunks) against moshi's offline result for a file longer than the window.
    func testChunkedPathMatchesOfflineReference() throws {
        let w = try MimiWeightFormula.weights(config: .released, entries: try MimiFixtures.table("full"))
        let enc = try MimiEncoder(weights: w, project: true, chunkFrames: 16)
        let chunked = try enc.encode(try MimiFixtures.input())
        assertRelClose(chunked, try MimiFixtures.timeMajor("full/latent_projected.npy").values, tol: 1e-5, "chunked projected latent")
        XCTAssertEqual(chunked, try Self.run.get().latents, "chunked == one-chunk, bit for bit")
    }
}
