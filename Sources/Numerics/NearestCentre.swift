/// Argmin over centres of the GEMM distance surrogate v_j = ‖c_j‖² − 2 x·c_j (the ‖x‖² term is
/// common to all j), vectorised 8 centres at a time. Ties go to the lowest index, exactly as a
/// sequential scan with strict `<`.
@inline(__always)
func nearestCentre(norms cn: UnsafePointer<Float>, dots: UnsafePointer<Float>, k: Int) -> (index: Int, value: Float) {
    let k8 = k / 8 * 8
    var best = 0
    var bestValue = Float.infinity
    if k8 > 0 {
        var bestV = SIMD8<Float>(repeating: .infinity)
        var bestI = SIMD8<Int32>(repeating: 0)
        var idx = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
        var j = 0
        while j < k8 {
            let v = load8(cn + j) - 2 * load8(dots + j)
            let m = v .< bestV
            bestV.replace(with: v, where: m)
            bestI.replace(with: idx, where: m)
            idx &+= 8
            j += 8
        }
        bestValue = laneMin(bestV)
        var first = Int32.max
        for l in 0..<8 where bestV[l] == bestValue && bestI[l] < first { first = bestI[l] }
        best = Int(first)
    }
    var j = k8
    while j < k {
        let v = cn[j] - 2 * dots[j]
        if v < bestValue { bestValue = v; best = j }
        j += 1
    }
    return (best, bestValue)
}

/// The smallest v_j over j ≠ `excluded` (+∞ when k = 1).
@inline(__always)
func secondNearestValue(norms cn: UnsafePointer<Float>, dots: UnsafePointer<Float>, k: Int, excluded: Int) -> Float {
    let k8 = k / 8 * 8
    var m = SIMD8<Float>(repeating: .infinity)
    var idx = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
    let ex = SIMD8<Int32>(repeating: Int32(excluded))
    var j = 0
    while j < k8 {
        var v = load8(cn + j) - 2 * load8(dots + j)
        v.replace(with: .infinity, where: idx .== ex)
        m.replace(with: v, where: v .< m)
        idx &+= 8
        j += 8
    }
    var r = laneMin(m)
    while j < k {
        if j != excluded { r = min(r, cn[j] - 2 * dots[j]) }
        j += 1
    }
    return r
}

/// Smallest lane (a plain loop: the generic `SIMD.min()` is not inlined).
@inline(__always)
private func laneMin(_ v: SIMD8<Float>) -> Float {
    var r = v[0]
    for l in 1..<8 where v[l] < r { r = v[l] }
    return r
}

@inline(__always)
private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}
