@testable import Encoders

/// The panel-GEMM test case shared by the kernel tests: A rows `lda` apart, B [k, n], a bias row
/// and a starting C, all float32.
struct PanelGEMMCase {
    let m: Int, k: Int, n: Int, lda: Int
    let a: [Float], b: [Float], bias: [Float], c0: [Float]

    /// bias + (accumulate ? C0 : 0) + A·B summed in Float64, rounded to float32.
    func directSum(accumulate: Bool) -> [Float] {
        var ref = [Float](repeating: 0, count: m * n)
        for r in 0..<m {
            for col in 0..<n {
                var s = Double(bias[col]) + (accumulate ? Double(c0[r * n + col]) : 0)
                for kk in 0..<k { s += Double(a[r * lda + kk]) * Double(b[kk * n + col]) }
                ref[r * n + col] = Float(s)
            }
        }
        return ref
    }

    /// C0 updated by `body(a, bias, c)` on the case's buffers (e.g. a `gemm` or `gemmSerial` call).
    func run(_ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        var c = c0
        a.withUnsafeBufferPointer { ap in
            bias.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in body(ap.baseAddress!, bp.baseAddress!, cp.baseAddress!) }
            }
        }
        return c
    }
}
