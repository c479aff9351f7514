import XCTest
import EngramCore
@testable import AudioIO

/// MD5 against RFC 1321's test suite; CRCs against the catalogued check values
/// (CRC-8/SMBUS and CRC-16/UMTS, both of "123456789").
final class ChecksumTests: XCTestCase {
    func testMD5RFC1321Vectors() {
        let vectors: [(String, String)] = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
        ]
        for (text, want) in vectors {
            XCTAssertEqual(hexString(MD5.digest(Array(text.utf8))), want, text)
        }
    }

    func testMD5StreamingEqualsOneShot() {
        var rng = SplitMix64(seed: 7)
        let bytes = (0..<10_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        var m = MD5()
        var i = 0
        while i < bytes.count {
            let n = min(bytes.count - i, Int(rng.next() % 150))
            m.update(Array(bytes[i..<(i + n)]))
            i += n
        }
        XCTAssertEqual(m.finalize(), MD5.digest(bytes))
    }

    func testCRCCheckValues() {
        let s = Array("123456789".utf8)
        s.withUnsafeBufferPointer { p in
            XCTAssertEqual(FLACCRC.crc8(p.baseAddress!, p.count), 0xF4)
            XCTAssertEqual(FLACCRC.crc16(p.baseAddress!, p.count), 0xFEE8)
        }
        // Slicing-by-8 against the bytewise definition on random lengths.
        var rng = SplitMix64(seed: 3)
        let data = (0..<1000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        data.withUnsafeBufferPointer { p in
            for n in [0, 1, 7, 8, 9, 15, 16, 17, 100, 999, 1000] {
                var c: UInt16 = 0
                for i in 0..<n {
                    c ^= UInt16(p[i]) << 8
                    for _ in 0..<8 { c = c & 0x8000 != 0 ? (c << 1) ^ 0x8005 : c << 1 }
                }
                XCTAssertEqual(FLACCRC.crc16(p.baseAddress!, n), c, "n=\(n)")
            }
        }
    }
}
