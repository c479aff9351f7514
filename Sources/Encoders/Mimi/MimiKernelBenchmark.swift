import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Times the encoder's convolution GEMMs on the released model's layer shapes (for
/// `engram bench mimi --kernels`): one line per conv with its GFLOP/s (thread CPU time when
/// threads == 1, else wall time).
public enum MimiKernelBenchmark {
    public struct Line: Sendable {
        public var name: String
        public var m: Int, k: Int, n: Int
        public var seconds: Double
        public var gflops: Double { 2 * Double(m * k * n) / seconds / 1e9 }
    }

    /// CPU time of the calling thread (robust to other processes on a shared machine when threads == 1).
    static func threadCPUTime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Each conv of the released SEANet for `seconds` of audio, plus the transformer's linear shapes.
    public static func run(seconds: Double = 1, threads: Int = 1) -> [Line] {
        let c = MimiConfig.released
        var shapes: [(String, Int, Int, Int, Int)] = []     // name, cin, cout, k, stride, at rate
        var rate = Int(Double(c.sampleRate) * seconds)
        shapes.append(("conv0 1→64 k7", rate, 1 * 7, 64, 1))
        for (si, stride) in c.encoderStrides.enumerated() {
            let w = c.seanetWidth(si)
            shapes.append(("res\(w) k3 \(w)→\(w / 2)", rate, w * 3, w / 2, w))
            shapes.append(("res\(w) k1 \(w / 2)→\(w)", rate, w / 2, w, w / 2))
            rate /= stride
            shapes.append(("down \(w)→\(2 * w) k\(2 * stride) s\(stride)", rate, w * 2 * stride, 2 * w, w * stride))
        }
        shapes.append(("last 1024→512 k3", rate, 1024 * 3, 512, 1024))
        shapes.append(("qkv 512→1536", rate, 512, 1536, 512))
        shapes.append(("ffn1 512→2048", rate, 512, 2048, 512))
        shapes.append(("ffn2 2048→512", rate, 2048, 512, 2048))
        var out: [Line] = []
        for (name, m, k, n, lda) in shapes {
            let packed = PackedMatrix(k: k, n: n) { kk, col in Float((kk * 7 + col * 3) % 11) * 0.01 - 0.05 }
            let aCount = (m - 1) * lda + k
            let a = UnsafeMutablePointer<Float>.allocate(capacity: aCount)
            for i in 0..<aCount { a[i] = Float(i % 13) * 0.01 }
            let cBuf = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
            var best = Double.infinity
            for _ in 0..<3 {
                let t0 = DispatchTime.now().uptimeNanoseconds, c0 = threadCPUTime()
                gemm(m: m, a: a, lda: lda, b: packed, bias: nil, c: cBuf, ldc: n, threads: threads)
                let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, cpu = threadCPUTime() - c0
                best = min(best, threads == 1 ? cpu : wall)
            }
            a.deallocate(); cBuf.deallocate()
            out.append(Line(name: name, m: m, k: k, n: n, seconds: best))
        }
        return out
    }
}
