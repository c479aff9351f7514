/// A growable float32 scratch buffer with a stable pointer between `reserve` calls.
final class FloatBuffer: @unchecked Sendable {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init(capacity: Int = 0) {
        self.capacity = max(capacity, 16)
        pointer = .allocate(capacity: self.capacity)
        pointer.initialize(repeating: 0, count: self.capacity)
    }

    deinit { pointer.deallocate() }

    /// Ensures room for `count` floats; keeps the first `preserving` values, zero-fills the rest of the new space.
    func reserve(_ count: Int, preserving: Int = 0) {
        if count <= capacity { return }
        let newCap = max(count, capacity + capacity / 2)
        let p = UnsafeMutablePointer<Float>.allocate(capacity: newCap)
        let keep = min(preserving, capacity)
        p.initialize(from: pointer, count: keep)
        (p + keep).initialize(repeating: 0, count: newCap - keep)
        pointer.deallocate()
        pointer = p
        capacity = newCap
    }
}
