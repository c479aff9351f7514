import EngramCore

/// Snappy raw block format (no framing): a varint preamble holding the uncompressed length, then
/// a sequence of literal and back-reference (copy) elements. This is the format Parquet uses for
/// `SNAPPY` pages. Compression is greedy LZ77 with a 4-byte hash table, working on independent
/// 64 KiB blocks like the reference implementation; decompression is bounds-checked throughout and
/// reports malformed input as `EngramError` (never a crash).
public enum Snappy {
    /// Upper bound of the compressed size of `count` input bytes (format worst case: 32 + n + n/6).
    public static func maxCompressedLength(_ count: Int) -> Int { 32 + count + count / 6 }

    /// Largest decompressed/compressed ratio a valid stream can reach: a 3-byte copy element emits
    /// at most 64 bytes. Used to reject absurd length preambles before allocating.
    static let maxExpansion = 22

    /// Element tags (low two bits of the tag byte).
    enum Tag: UInt8 { case literal = 0, copy1 = 1, copy2 = 2, copy4 = 3 }

    /// Independent compression unit: copies never reach across a block boundary.
    static let blockSize = 1 << 16
}
