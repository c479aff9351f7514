import EngramCore
import Foundation

/// Top `k` eigenpairs of a symmetric positive semi-definite matrix `c` [d, d] (row-major Double) by
/// block subspace iteration with Rayleigh–Ritz: basis of b = min(d, 2k + 8 rounded up to 8) vectors, stop when every
/// wanted Ritz pair has residual ‖C u − θ u‖ ≤ `tolerance` · θ₀. Deterministic (fixed start vectors
/// from SplitMix64, fixed reduction order). After `maxIterations` without convergence the current
/// Ritz pairs are returned with `converged: false`; nil only if the small eigenproblem fails.
/// Eigenvalues descending; eigenvectors as rows [k, d].
func topEigenpairsBySubspaceIteration(_ c: [Double], d: Int, k: Int, blockSize: Int? = nil, tolerance: Double = 1e-10,
                                      maxIterations: Int = 500, threads: Int)
    -> (values: [Double], vectors: [Double], converged: Bool)? {
    let b = min(d, blockSize ?? ((2 * k + 8 + 7) / 8 * 8))
    precondition(k >= 1 && k <= b)
    var rng = SplitMix64(seed: 0x5EED_1DEA)
    var v = [Double](repeating: 0, count: b * d)
    for i in 0..<v.count { v[i] = rng.nextDouble() - 0.5 }
    orthonormaliseRows(&v, rows: b, d: d)
    var w = [Double](repeating: 0, count: b * d)
    for iteration in 0..<maxIterations {
        symmetricTimesRows(c, d: d, v, rows: b, into: &w, threads: threads)
        // Rayleigh–Ritz on span(v): H = V C Vᵀ.
        var h = [Double](repeating: 0, count: b * b)
        for r in 0..<b {
            for s in r..<b {
                let x = 0.5 * (dot(v, r * d, w, s * d, d) + dot(v, s * d, w, r * d, d))
                h[r * b + s] = x; h[s * b + r] = x
            }
        }
        guard let eig = try? SymmetricEigen(symmetric: h, n: b) else { return nil }
        var u = [Double](repeating: 0, count: b * d)
        var cu = [Double](repeating: 0, count: b * d)
        for q in 0..<b {
            for r in 0..<b {
                let s = eig.vectors[q * b + r]
                if s == 0 { continue }
                for j in 0..<d { u[q * d + j] += s * v[r * d + j]; cu[q * d + j] += s * w[r * d + j] }
            }
        }
        let scale = max(abs(eig.values[0]), Double.leastNormalMagnitude)
        var converged = true
        for q in 0..<k {
            var r2 = 0.0
            for j in 0..<d { let e = cu[q * d + j] - eig.values[q] * u[q * d + j]; r2 += e * e }
            if r2.squareRoot() > tolerance * scale { converged = false; break }
        }
        if converged || iteration == maxIterations - 1 {
            return (Array(eig.values[0..<k]), Array(u[0..<(k * d)]), converged)
        }
        v = cu
        orthonormaliseRows(&v, rows: b, d: d)
    }
    return nil
}

/// Σ_j a[ao + j] · b[bo + j] for j < n (fixed order, 4 partial sums).
@inline(__always)
func dot(_ a: [Double], _ ao: Int, _ b: [Double], _ bo: Int, _ n: Int) -> Double {
    a.withUnsafeBufferPointer { ab in b.withUnsafeBufferPointer { bb in dot(ab.baseAddress! + ao, bb.baseAddress! + bo, n) } }
}

@inline(__always)
func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
    var acc = SIMD4<Double>()
    var j = 0
    while j + 4 <= n {
        acc += UnsafeRawPointer(a + j).loadUnaligned(as: SIMD4<Double>.self) * UnsafeRawPointer(b + j).loadUnaligned(as: SIMD4<Double>.self)
        j += 4
    }
    var s = (acc[0] + acc[1]) + (acc[2] + acc[3])
    while j < n { s += a[j] * b[j]; j += 1 }
    return s
}

/// Modified Gram–Schmidt, applied twice, on the rows of `v` [rows, d]. A row that vanishes is
/// replaced by a unit coordinate vector orthogonalised against the others.
func orthonormaliseRows(_ v: inout [Double], rows: Int, d: Int) {
    v.withUnsafeMutableBufferPointer { vb in
        let p = vb.baseAddress!
        for r in 0..<rows {
            let row = p + r * d
            let original = dot(UnsafePointer(row), UnsafePointer(row), d).squareRoot()
            for _ in 0..<2 {
                for s in 0..<r {
                    let other = p + s * d
                    let x = dot(UnsafePointer(other), UnsafePointer(row), d)
                    for j in 0..<d { row[j] -= x * other[j] }
                }
            }
            var norm = dot(UnsafePointer(row), UnsafePointer(row), d).squareRoot()
            if !(norm > 1e-12 * max(original, Double.leastNormalMagnitude)) {
                for j in 0..<d { row[j] = 0 }
                row[r % d] = 1
                for _ in 0..<2 {
                    for s in 0..<r {
                        let other = p + s * d
                        let x = dot(UnsafePointer(other), UnsafePointer(row), d)
                        for j in 0..<d { row[j] -= x * other[j] }
                    }
                }
                norm = dot(UnsafePointer(row), UnsafePointer(row), d).squareRoot()
            }
            let inv = 1 / norm
            for j in 0..<d { row[j] *= inv }
        }
    }
}

/// out[r] = C · v[r] for each row r of v [rows, d], C symmetric [d, d] row-major; parallel over
/// blocks of C's rows. The vectors are transposed into [d, rows padded to 8] so that each row of C
/// streams once through a register-blocked SIMD8<Double> loop.
func symmetricTimesRows(_ c: [Double], d: Int, _ v: [Double], rows: Int, into out: inout [Double], threads: Int) {
    let bp = (rows + 7) / 8 * 8
    var vt = [Double](repeating: 0, count: d * bp)
    for r in 0..<rows { for j in 0..<d { vt[j * bp + r] = v[r * d + j] } }
    let block = 16
    let blocks = (d + block - 1) / block
    c.withUnsafeBufferPointer { cb in
        vt.withUnsafeBufferPointer { vb in
            out.withUnsafeMutableBufferPointer { ob in
                let o = SharedMutablePointer(ob.baseAddress!)
                let cp = cb.baseAddress!, vp = vb.baseAddress!
                parallelFor(blocks, threads: threads) { bi in
                    withUnsafeTemporaryAllocation(of: SIMD8<Double>.self, capacity: bp / 8) { accBuf in
                        let acc = accBuf.baseAddress!
                        for i in (bi * block)..<min(d, (bi + 1) * block) {
                            let ci = cp + i * d
                            var g = 0
                            // three vector groups (24 columns) at a time, then the rest one group at a time
                            while g + 3 <= bp / 8 {
                                var a0 = SIMD8<Double>(), a1 = SIMD8<Double>(), a2 = SIMD8<Double>()
                                var vj = UnsafeRawPointer(vp + g * 8)
                                for j in 0..<d {
                                    let s = SIMD8<Double>(repeating: ci[j])
                                    a0 += s * vj.loadUnaligned(as: SIMD8<Double>.self)
                                    a1 += s * vj.loadUnaligned(fromByteOffset: 64, as: SIMD8<Double>.self)
                                    a2 += s * vj.loadUnaligned(fromByteOffset: 128, as: SIMD8<Double>.self)
                                    vj += bp * 8
                                }
                                acc[g] = a0; acc[g + 1] = a1; acc[g + 2] = a2
                                g += 3
                            }
                            while g < bp / 8 {
                                var a0 = SIMD8<Double>()
                                var vj = UnsafeRawPointer(vp + g * 8)
                                for j in 0..<d {
                                    a0 += SIMD8<Double>(repeating: ci[j]) * vj.loadUnaligned(as: SIMD8<Double>.self)
                                    vj += bp * 8
                                }
                                acc[g] = a0
                                g += 1
                            }
                            for r in 0..<rows { o.base[r * d + i] = acc[r / 8][r % 8] }
                        }
                    }
                }
            }
        }
    }
}
