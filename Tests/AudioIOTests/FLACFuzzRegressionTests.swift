import EngramCore
import Foundation
import XCTest
import TestSupport
@testable import AudioIO

/// Findings of the libFuzzer harness (scripts/fuzz/run-libfuzzer.sh flac), kept as tests.
final class FLACFuzzRegressionTests: XCTestCase {
    /// A STREAMINFO claiming 2^36 − 1 samples in front of a small file used to make the decoder
    /// reserve that many samples per channel up front (libFuzzer: malloc of 17 GB, out of memory).
    /// Now the reservation is bounded by the input size and the file is a clean "truncated" error.
    func testHugeTotalSamplesInStreamInfoDoesNotAllocateIt() throws {
        var bytes = [UInt8](try Data(contentsOf: fixtureURL("flac/m16_5.flac")))
        XCTAssertEqual(Array(bytes[0..<4]), Array("fLaC".utf8))
        bytes[21] |= 0x0F                       // total samples: 36 bits from byte 21 (low nibble) to 25
        for i in 22...25 { bytes[i] = 0xFF }
        XCTAssertThrowsError(try FLACDecoder().decode(data: Data(bytes), path: "huge.flac")) { e in
            XCTAssertTrue("\(e)".contains("huge.flac") && "\(e)".contains("truncated stream"), "\(e)")
        }
        XCTAssertThrowsError(try FLACDecoder().decodeMonoFloat(data: Data(bytes), path: "huge.flac")) { e in
            XCTAssertTrue("\(e)".contains("huge.flac") && "\(e)".contains("truncated stream"), "\(e)")
        }
    }
}
