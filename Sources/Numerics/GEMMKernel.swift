import SIMDKernels
import SIMDKernelsAVX2
import SIMDKernelsAVX512

// Register-blocked single-precision GEMM core: B packed into nr-column panels, A packed into
// 6-row micro-panels, a 6×nr micro-kernel, the inner dimension blocked by `GEMMBlocking.kc`.
// The packers and micro-kernel live in the SIMDKernels modules (one build per CPU class, see
// `SIMDKernelSet`); the functions here forward to the chosen set. Each output element is the
// float sum over k-blocks (in order) of the float sum over the block (in order), so results do
// not depend on threading.

/// Block sizes of the packed GEMM (the panel width `nr` belongs to the kernel set: `SIMDKernelSet.gemmPanelWidth`).
enum GEMMBlocking {
    /// Rows of the micro-kernel.
    static let mr = 6
    /// Inner-dimension block.
    static let kc = 256
    /// Rows of A packed together (a multiple of `mr`).
    static let mc = 144
}

extension SIMDKernelSet {
    /// Columns of the GEMM micro-kernel (one packed B panel): 16 with FMA, 8 on the SSE2 baseline.
    public var gemmPanelWidth: Int {
        switch self {
        case .baseline: return SIMDKernels.GEMMCore.nr
        case .avx2: return SIMDKernelsAVX2.GEMMCore.nr
        case .avx512: return SIMDKernelsAVX512.GEMMCore.nr
        }
    }

    /// Whether the GEMM micro-kernel fuses multiply-adds.
    public var gemmUsesFMA: Bool {
        switch self {
        case .baseline: return SIMDKernels.GEMMCore.fusedMultiplyAdd
        case .avx2: return SIMDKernelsAVX2.GEMMCore.fusedMultiplyAdd
        case .avx512: return SIMDKernelsAVX512.GEMMCore.fusedMultiplyAdd
        }
    }
}

/// A read-only matrix view: element (r, c) is `base[c * ld + r]` when `transposed`, else `base[r * ld + c]`.
struct MatrixOperand: @unchecked Sendable {
    let base: UnsafePointer<Float>
    let ld: Int
    let transposed: Bool
}

/// 64-byte-aligned scratch floats.
@inline(__always)
func allocateAligned(_ count: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<Float>.stride, alignment: 64)
        .bindMemory(to: Float.self, capacity: max(1, count))
}

/// Packs B rows `k0..<k0+kcb`, panels `panels` (nr columns each, zero-padded past `n`) into `out`,
/// panel p at `out + p * kcb * nr`, laid out [kcb][nr], with nr = `kernels.gemmPanelWidth`.
func packB(_ b: MatrixOperand, k0: Int, kcb: Int, n: Int, panels: Range<Int>, into out: UnsafeMutablePointer<Float>,
           kernels: SIMDKernelSet) {
    switch kernels {
    case .baseline:
        SIMDKernels.GEMMCore.packB(b.base, ld: b.ld, transposed: b.transposed, k0: k0, kcb: kcb, n: n,
                                   panelStart: panels.lowerBound, panelEnd: panels.upperBound, into: out)
    case .avx2:
        SIMDKernelsAVX2.GEMMCore.packB(b.base, ld: b.ld, transposed: b.transposed, k0: k0, kcb: kcb, n: n,
                                       panelStart: panels.lowerBound, panelEnd: panels.upperBound, into: out)
    case .avx512:
        SIMDKernelsAVX512.GEMMCore.packB(b.base, ld: b.ld, transposed: b.transposed, k0: k0, kcb: kcb, n: n,
                                         panelStart: panels.lowerBound, panelEnd: panels.upperBound, into: out)
    }
}

/// Packs A rows `i0..<i0+rows`, columns `k0..<k0+kcb` into 6-row micro-panels (zero-padded),
/// micro-panel q at `out + q * kcb * 6`, laid out [kcb][6] (the same for every kernel set).
func packA(_ a: MatrixOperand, i0: Int, rows: Int, k0: Int, kcb: Int, into out: UnsafeMutablePointer<Float>,
           kernels: SIMDKernelSet) {
    switch kernels {
    case .baseline:
        SIMDKernels.GEMMCore.packA(a.base, ld: a.ld, transposed: a.transposed, i0: i0, rows: rows, k0: k0, kcb: kcb, into: out)
    case .avx2:
        SIMDKernelsAVX2.GEMMCore.packA(a.base, ld: a.ld, transposed: a.transposed, i0: i0, rows: rows, k0: k0, kcb: kcb, into: out)
    case .avx512:
        SIMDKernelsAVX512.GEMMCore.packA(a.base, ld: a.ld, transposed: a.transposed, i0: i0, rows: rows, k0: k0, kcb: kcb, into: out)
    }
}

/// Runs the micro-kernel for one packed A block (rows `i0..<i0+rows`) against packed B panels
/// `panels`, writing C (row stride `ldc`, column count `n`). With `upperOnly`, tiles lying
/// entirely below the diagonal are skipped. `bPack` must have been packed by the same `kernels`.
func computeBlock(aPack: UnsafePointer<Float>, i0: Int, rows: Int, bPack: UnsafePointer<Float>,
                  panels: Range<Int>, kcb: Int, n: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                  accumulate: Bool, upperOnly: Bool, kernels: SIMDKernelSet) {
    switch kernels {
    case .baseline:
        SIMDKernels.GEMMCore.computeBlock(aPack: aPack, i0: i0, rows: rows, bPack: bPack, panelStart: panels.lowerBound,
                                          panelEnd: panels.upperBound, kcb: kcb, n: n, c: c, ldc: ldc,
                                          accumulate: accumulate, upperOnly: upperOnly)
    case .avx2:
        SIMDKernelsAVX2.GEMMCore.computeBlock(aPack: aPack, i0: i0, rows: rows, bPack: bPack, panelStart: panels.lowerBound,
                                              panelEnd: panels.upperBound, kcb: kcb, n: n, c: c, ldc: ldc,
                                              accumulate: accumulate, upperOnly: upperOnly)
    case .avx512:
        SIMDKernelsAVX512.GEMMCore.computeBlock(aPack: aPack, i0: i0, rows: rows, bPack: bPack, panelStart: panels.lowerBound,
                                                panelEnd: panels.upperBound, kcb: kcb, n: n, c: c, ldc: ldc,
                                                accumulate: accumulate, upperOnly: upperOnly)
    }
}
