import EngramCore

extension Phase0Config.Slice.Filter {
    /// Whether frame `i` of `table` is in the slice. `pos_frac` bounds are compared in float32, as the
    /// research pipeline (it downcasts `pos_frac` to float32 before `(pos_frac >= 0.17) & (pos_frac <= 0.83)`).
    public func contains(_ table: FrameTable, _ i: Int) -> Bool {
        switch self {
        case .all: return true
        case .energyAboveMedian: return table.isHighEnergy[i]
        case .posFrac(let a, let b):
            let p = Float(table.posFrac[i])
            return p >= Float(a) && p <= Float(b)
        }
    }
}
