import Foundation
import XCTest
import EngramCore
import TestSupport
@testable import Encoders

final class EncoderFactoryTests: XCTestCase {
    func config(_ encoder: String, latentDim: Int = 64, extra: String = "") throws -> Phase0Config {
        try Phase0Config.parse(yaml: """
        vae:
          encoder: \(encoder)
          latent_dim: \(latentDim)
        \(extra)
        """, file: "test.yaml")
    }

    func testMelFromConfig() throws {
        let e = try makeEncoder(config: config("mel", latentDim: 40))
        XCTAssertEqual(e.name, "mel")
        XCTAssertEqual(e.latentDim, 40)
        XCTAssertEqual(e.sampleRate, 24000)
        XCTAssertEqual(e.frameSize, 1920)
    }

    func testUnavailableEncodersAreClearErrors() throws {
        XCTAssertThrowsError(try makeEncoder(config: config("encodec"))) { e in
            XCTAssertTrue("\(e)".contains("vae.encoder") && "\(e)".contains("not yet available"), "\(e)")
        }
        XCTAssertThrowsError(try makeEncoder(config: config("mimi", latentDim: 512))) { e in
            XCTAssertTrue("\(e)".contains("test.yaml: vae.checkpoint") && "\(e)".contains("engram weights fetch mimi"), "\(e)")
        }
        XCTAssertThrowsError(try makeEncoder(config: config("mimi", latentDim: 512, extra: "  checkpoint: /nonexistent/mimi.safetensors"))) { e in
            XCTAssertTrue("\(e)".contains("vae.checkpoint") && "\(e)".contains("/nonexistent/mimi.safetensors not found"), "\(e)")
        }
    }

    /// The fixtures' tiny Hugging Face folder (D = 32): loads, and a config promising 512 is refused.
    func testMimiFromCheckpoint() throws {
        let hf = fixtureURL("mimi/tiny/hf").path
        let e = try makeEncoder(config: config("mimi", latentDim: 32, extra: "  checkpoint: \(hf)\n  project: false"))
        XCTAssertEqual(e.name, "mimi")
        XCTAssertEqual(e.latentDim, 32)
        XCTAssertEqual((e as? MimiEncoder)?.project, false)
        XCTAssertThrowsError(try makeEncoder(config: config("mimi", latentDim: 512, extra: "  checkpoint: \(hf)"))) { e in
            XCTAssertTrue("\(e)".contains("vae.latent_dim") && "\(e)".contains("32-dimensional"), "\(e)")
        }
    }

    func testTooManyMelBandsNamesTheKey() throws {
        XCTAssertThrowsError(try makeEncoder(config: config("mel", latentDim: 5000))) { e in
            XCTAssertTrue("\(e)".contains("vae.latent_dim"), "\(e)")
        }
    }
}
