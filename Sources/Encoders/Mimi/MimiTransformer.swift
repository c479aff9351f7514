import Foundation
import Numerics

/// The encoder transformer with streaming state: pre-LayerNorm layers with interleaved-RoPE
/// causal self-attention over a `context`-step window, exact-GELU feed-forward and layer scale.
/// Time-major [T, D] activations updated in place. Each layer keeps the RoPE-rotated keys and
/// the values of the last context − 1 steps, and masks by absolute position (0 ≤ t − s < context),
/// so chunked input gives exactly the offline result.
final class MimiTransformerStream: @unchecked Sendable {
    final class Layer {
        let norm1Weight: [Float], norm1Bias: [Float], norm2Weight: [Float], norm2Bias: [Float]
        let inProj: PackedMatrix, outProj: PackedMatrix, linear1: PackedMatrix, linear2: PackedMatrix
        let layerScale1: [Float], layerScale2: [Float]
        /// Cached keys (rotated) and values, `cached` rows of D each, for positions cacheStart ..< cacheStart + cached.
        let keys = FloatBuffer(), values = FloatBuffer()
        var cached = 0

        init(_ w: MimiWeights.TransformerLayer, d: Int, f: Int, kernels: SIMDKernelSet) {
            norm1Weight = w.norm1Weight; norm1Bias = w.norm1Bias
            norm2Weight = w.norm2Weight; norm2Bias = w.norm2Bias
            inProj = PackedMatrix(transposing: w.inProj, rows: 3 * d, columns: d, kernels: kernels)
            outProj = PackedMatrix(transposing: w.outProj, rows: d, columns: d, kernels: kernels)
            linear1 = PackedMatrix(transposing: w.linear1, rows: f, columns: d, kernels: kernels)
            linear2 = PackedMatrix(transposing: w.linear2, rows: d, columns: f, kernels: kernels)
            layerScale1 = w.layerScale1; layerScale2 = w.layerScale2
        }
    }

    let d: Int, heads: Int, headDim: Int, ffn: Int, context: Int, eps: Float
    let layers: [Layer]
    /// RoPE frequencies f_j = exp(j · (−ln(maxPeriod) · 2 / headDim)), evaluated in float32 as moshi does.
    let frequencies: [Float]
    /// Absolute 25 Hz position of the next input step.
    private(set) var position = 0
    private let normed = FloatBuffer(), qkv = FloatBuffer(), attn = FloatBuffer(), proj = FloatBuffer(), hiddenF = FloatBuffer()
    private let cosTable = FloatBuffer(), sinTable = FloatBuffer()

    init(_ w: MimiWeights, kernels: SIMDKernelSet) {
        let tr = w.config.transformer
        d = tr.dModel; heads = tr.numHeads; headDim = tr.headDim; ffn = tr.dimFeedforward
        context = tr.context; eps = tr.normEps
        layers = w.layers.map { Layer($0, d: tr.dModel, f: tr.dimFeedforward, kernels: kernels) }
        let step = Float(-log(tr.maxPeriod) * 2 / Double(tr.headDim))
        frequencies = (0..<(tr.headDim / 2)).map { Float(Foundation.exp(Double(Float($0) * step))) }
    }

    /// Back to position 0 with empty caches.
    func reset() {
        position = 0
        for l in layers { l.cached = 0 }
    }

    /// Runs `steps` new steps of `h` ([steps, D], updated in place) through every layer.
    func run(_ h: UnsafeMutablePointer<Float>, steps: Int, threads: Int, tap: MimiTap?) {
        if steps == 0 { return }
        prepareRotation(steps: steps)
        for (i, layer) in layers.enumerated() {
            forward(layer, h, steps: steps, threads: threads)
            tap?("transformer_layer\(i)", h, steps, d)
        }
        position += steps
    }

    /// cos/sin of θ = pos · f_j for the chunk's positions ([steps, headDim/2]); the angle is a
    /// float32 product as in moshi, its cosine and sine evaluated accurately and rounded.
    private func prepareRotation(steps: Int) {
        let half = headDim / 2
        cosTable.reserve(steps * half); sinTable.reserve(steps * half)
        for t in 0..<steps {
            let pos = Float(position + t)
            for j in 0..<half {
                let angle = Double(pos * frequencies[j])
                cosTable.pointer[t * half + j] = Float(cos(angle))
                sinTable.pointer[t * half + j] = Float(sin(angle))
            }
        }
    }

    private func forward(_ L: Layer, _ h: UnsafeMutablePointer<Float>, steps T: Int, threads: Int) {
        let d = self.d
        normed.reserve(T * d); qkv.reserve(T * 3 * d); attn.reserve(T * d); proj.reserve(T * d); hiddenF.reserve(T * ffn)
        // Attention block.
        layerNorm(h, normed.pointer, rows: T, weight: L.norm1Weight, bias: L.norm1Bias)
        gemm(m: T, a: normed.pointer, lda: d, b: L.inProj, bias: nil, c: qkv.pointer, ldc: 3 * d, threads: threads)
        applyRotation(qkv.pointer, rows: T)
        appendToCache(L, rows: T)
        attention(L, steps: T, threads: threads)
        gemm(m: T, a: attn.pointer, lda: d, b: L.outProj, bias: nil, c: proj.pointer, ldc: d, threads: threads)
        addScaled(h, proj.pointer, L.layerScale1, rows: T)
        // Feed-forward block.
        layerNorm(h, normed.pointer, rows: T, weight: L.norm2Weight, bias: L.norm2Bias)
        gemm(m: T, a: normed.pointer, lda: d, b: L.linear1, bias: nil, c: hiddenF.pointer, ldc: ffn, threads: threads)
        let hp = hiddenF.pointer
        parallelElementwise(T * ffn, threads: threads) { lo, hi in geluArray(hp + lo, hp + lo, count: hi - lo, kernels: L.linear1.kernels) }
        gemm(m: T, a: hiddenF.pointer, lda: ffn, b: L.linear2, bias: nil, c: proj.pointer, ldc: d, threads: threads)
        addScaled(h, proj.pointer, L.layerScale2, rows: T)
        trimCache(L)
    }

    /// LayerNorm over each row of D: (x − mean)/√(var + eps)·γ + β, population variance.
    private func layerNorm(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, weight: [Float], bias: [Float]) {
        let d = self.d
        for r in 0..<rows {
            let xr = x + r * d, yr = y + r * d
            var s = 0.0
            for i in 0..<d { s += Double(xr[i]) }
            let mean = s / Double(d)
            var v = 0.0
            for i in 0..<d { let e = Double(xr[i]) - mean; v += e * e }
            let inv = 1 / (v / Double(d) + Double(eps)).squareRoot()
            for i in 0..<d { yr[i] = Float((Double(xr[i]) - mean) * inv) * weight[i] + bias[i] }
        }
    }

    /// Rotates the Q and K parts of each qkv row in place: pairs (2j, 2j+1) of every head.
    private func applyRotation(_ qkv: UnsafeMutablePointer<Float>, rows: Int) {
        let half = headDim / 2
        for t in 0..<rows {
            let c = cosTable.pointer + t * half, s = sinTable.pointer + t * half
            for part in 0..<2 {
                for hd in 0..<heads {
                    let v = qkv + t * 3 * d + part * d + hd * headDim
                    for j in 0..<half {
                        let re = v[2 * j], im = v[2 * j + 1]
                        v[2 * j] = re * c[j] - im * s[j]
                        v[2 * j + 1] = re * s[j] + im * c[j]
                    }
                }
            }
        }
    }

    private func appendToCache(_ L: Layer, rows: Int) {
        let d = self.d
        L.keys.reserve((L.cached + rows) * d, preserving: L.cached * d)
        L.values.reserve((L.cached + rows) * d, preserving: L.cached * d)
        for t in 0..<rows {
            (L.keys.pointer + (L.cached + t) * d).update(from: qkv.pointer + t * 3 * d + d, count: d)
            (L.values.pointer + (L.cached + t) * d).update(from: qkv.pointer + t * 3 * d + 2 * d, count: d)
        }
        L.cached += rows
    }

    /// Keeps the last context − 1 cached steps: all a later query can see besides itself.
    private func trimCache(_ L: Layer) {
        let keep = min(L.cached, context - 1)
        let drop = L.cached - keep
        if drop > 0 {
            L.keys.pointer.update(from: L.keys.pointer + drop * d, count: keep * d)
            L.values.pointer.update(from: L.values.pointer + drop * d, count: keep * d)
        }
        L.cached = keep
    }

    /// Causal windowed attention of the chunk's queries over the cache (which ends with the chunk).
    private func attention(_ L: Layer, steps T: Int, threads: Int) {
        let d = self.d, hd = headDim, ctx = context
        let cacheStart = position + T - L.cached          // absolute position of cache row 0
        let q = UnsafePointer(qkv.pointer), k = UnsafePointer(L.keys.pointer), v = UnsafePointer(L.values.pointer)
        let out = attn.pointer
        let scale = 1 / Float(hd).squareRoot()
        let kernels = L.inProj.kernels
        let rowsPerTask = 8
        let qBlocks = (T + rowsPerTask - 1) / rowsPerTask
        parallelFor(heads * qBlocks, threads: threads) { task in
            let hIdx = task / qBlocks, qb = task % qBlocks
            withUnsafeTemporaryAllocation(of: Float.self, capacity: ctx + 16) { sc in
                let scores = sc.baseAddress!
                for t in (qb * rowsPerTask)..<min(T, (qb + 1) * rowsPerTask) {
                    let p = position + t
                    let lo = max(p - ctx + 1, cacheStart) - cacheStart, hi = p - cacheStart   // inclusive rows
                    let n = hi - lo + 1
                    attendRow(q: q + t * 3 * d + hIdx * hd, keys: k + lo * d + hIdx * hd, values: v + lo * d + hIdx * hd,
                              ld: d, count: n, dim: hd, scale: scale, scores: scores, out: out + t * d + hIdx * hd, kernels: kernels)
                }
            }
        }
    }

    /// h[r, c] += scale[c] · y[r, c].
    private func addScaled(_ h: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, _ scale: [Float], rows: Int) {
        let d = self.d
        scale.withUnsafeBufferPointer { s in
            for r in 0..<rows {
                for c in 0..<d { h[r * d + c] += s[c] * y[r * d + c] }
            }
        }
    }
}
