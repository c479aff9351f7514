import EngramCore
import Foundation

/// Eigen-decomposition of a real symmetric matrix in Double: Householder reduction to tridiagonal
/// form, then the implicit QL algorithm with Wilkinson-type shifts (the classic tred2/tql2 pair).
/// O(n³); use for n up to ~1–2 thousand.
public struct SymmetricEigen: Sendable {
    /// Eigenvalues in descending order.
    public var values: [Double]
    /// Eigenvectors as rows, [n, n] row-major: row i belongs to `values[i]`, unit length.
    public var vectors: [Double]
    public var n: Int

    /// Decomposes `matrix` ([n, n] row-major; only symmetry-consistent input is meaningful).
    /// - Throws: `EngramError` if the QL iteration does not converge (non-finite input).
    public init(symmetric matrix: [Double], n: Int) throws {
        precondition(matrix.count == n * n, "SymmetricEigen: matrix is not [n, n]")
        self.n = n
        if n == 0 { values = []; vectors = []; return }
        if let bad = matrix.firstIndex(where: { !$0.isFinite }) {
            throw EngramError("symmetric eigensolver", "matrix entry (\(bad / n), \(bad % n)) is not finite")
        }
        var a = matrix
        var d = [Double](repeating: 0, count: n)
        var e = [Double](repeating: 0, count: n)
        householderTridiagonalise(&a, n: n, diagonal: &d, offDiagonal: &e)
        // a now holds Q (columns); iterate on Qᵀ so that rotations touch contiguous rows.
        var z = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { z[j * n + i] = a[i * n + j] } }
        try implicitQL(diagonal: &d, offDiagonal: &e, vectorsT: &z, n: n)
        let order = (0..<n).sorted { d[$0] != d[$1] ? d[$0] > d[$1] : $0 < $1 }
        values = order.map { d[$0] }
        var v = [Double](repeating: 0, count: n * n)
        for (r, src) in order.enumerated() { for j in 0..<n { v[r * n + j] = z[src * n + j] } }
        vectors = v
    }
}

/// Householder reduction of symmetric `a` [n, n] to tridiagonal form: on return `diagonal`/`offDiagonal`
/// (offDiagonal[i] couples i−1 and i; offDiagonal[0] = 0) and `a` = the orthogonal Q (columns).
func householderTridiagonalise(_ a: inout [Double], n: Int, diagonal d: inout [Double], offDiagonal e: inout [Double]) {
    a.withUnsafeMutableBufferPointer { ab in
        let a = ab.baseAddress!
        var i = n - 1
        while i >= 1 {
            let l = i - 1
            var h = 0.0
            let ri = a + i * n
            if l > 0 {
                var scale = 0.0
                for k in 0...l { scale += abs(ri[k]) }
                if scale == 0 {
                    e[i] = ri[l]
                } else {
                    for k in 0...l { ri[k] /= scale; h += ri[k] * ri[k] }
                    var f = ri[l]
                    var g = f >= 0 ? -h.squareRoot() : h.squareRoot()
                    e[i] = scale * g
                    h -= f * g
                    ri[l] = f - g
                    f = 0
                    for j in 0...l {
                        a[j * n + i] = ri[j] / h
                        g = 0
                        let rj = a + j * n
                        for k in 0...j { g += rj[k] * ri[k] }
                        if j + 1 <= l { for k in (j + 1)...l { g += a[k * n + j] * ri[k] } }
                        e[j] = g / h
                        f += e[j] * ri[j]
                    }
                    let hh = f / (h + h)
                    for j in 0...l {
                        let fj = ri[j]
                        let gj = e[j] - hh * fj
                        e[j] = gj
                        let rj = a + j * n
                        for k in 0...j { rj[k] -= fj * e[k] + gj * ri[k] }
                    }
                }
            } else {
                e[i] = ri[l]
            }
            d[i] = h
            i -= 1
        }
        d[0] = 0
        e[0] = 0
        for i in 0..<n {
            if d[i] != 0 {
                for j in 0..<i {
                    var g = 0.0
                    for k in 0..<i { g += a[i * n + k] * a[k * n + j] }
                    for k in 0..<i { a[k * n + j] -= g * a[k * n + i] }
                }
            }
            d[i] = a[i * n + i]
            a[i * n + i] = 1
            for j in 0..<i { a[j * n + i] = 0; a[i * n + j] = 0 }
        }
    }
}

/// Implicit QL with shifts on the tridiagonal (diagonal, offDiagonal as from
/// `householderTridiagonalise`), accumulating rotations into the rows of `vectorsT` (eigenvector i
/// ends in row i). Eigenvalues end in `diagonal`, unsorted.
func implicitQL(diagonal d: inout [Double], offDiagonal e: inout [Double], vectorsT z: inout [Double], n: Int) throws {
    for i in 1..<max(n, 1) { e[i - 1] = e[i] }
    e[n - 1] = 0
    try z.withUnsafeMutableBufferPointer { zb in
        let z = zb.baseAddress!
        for l in 0..<n {
            var iterations = 0
            while true {
                var m = l
                while m < n - 1 {
                    let dd = abs(d[m]) + abs(d[m + 1])
                    if abs(e[m]) <= Double.ulpOfOne * dd { break }
                    m += 1
                }
                if m == l { break }
                iterations += 1
                if iterations > 60 {
                    throw EngramError("symmetric eigensolver", "QL iteration did not converge for eigenvalue \(l)")
                }
                var g = (d[l + 1] - d[l]) / (2 * e[l])
                var r = hypot(g, 1)
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? abs(r) : -abs(r)))
                var s = 1.0, c = 1.0, p = 0.0
                var i = m - 1
                var deflated = false
                while i >= l {
                    let f = s * e[i]
                    let b = c * e[i]
                    r = hypot(f, g)
                    e[i + 1] = r
                    if r == 0 {
                        d[i + 1] -= p
                        e[m] = 0
                        deflated = true
                        break
                    }
                    s = f / r
                    c = g / r
                    g = d[i + 1] - p
                    r = (d[i] - g) * s + 2 * c * b
                    p = s * r
                    d[i + 1] = g + p
                    g = c * r - b
                    let zi = z + i * n, zi1 = z + (i + 1) * n
                    for k in 0..<n {
                        let fk = zi1[k]
                        zi1[k] = s * zi[k] + c * fk
                        zi[k] = c * zi[k] - s * fk
                    }
                    i -= 1
                }
                if deflated { continue }
                d[l] -= p
                e[l] = g
                e[m] = 0
            }
        }
    }
}
