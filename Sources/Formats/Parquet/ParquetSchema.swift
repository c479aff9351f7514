import EngramCore

/// The value kind a flat Parquet leaf column is read as (one per `ParquetColumn` case).
enum ParquetValueKind: String {
    case int32, int64, float = "float32", double = "float64", bool, string
}

/// A leaf column of a flat schema: its name, storage and how it is read.
struct ParquetLeaf {
    var name: String
    var physicalType: ParquetFormat.PhysicalType
    var kind: ParquetValueKind
    /// OPTIONAL columns carry definition levels (max level 1); REQUIRED ones carry none.
    var isOptional: Bool
}

extension ParquetFormat {
    /// Interprets a schema as a flat table: a root group whose children are all primitive,
    /// non-repeated columns of supported types. Anything else is a clear error naming `file`.
    static func flatLeaves(of schema: [SchemaElement], file: String) throws -> [ParquetLeaf] {
        guard let root = schema.first else { throw EngramError(file, "Parquet schema is empty") }
        let children = Int(root.numChildren ?? 0)
        guard children == schema.count - 1 else {
            throw EngramError(file, "nested Parquet schemas are unsupported (root has \(children) children, schema has \(schema.count - 1) elements)")
        }
        return try schema.dropFirst().map { e in
            if let n = e.numChildren, n > 0 {
                throw EngramError(file, "column '\(e.name)' is a nested group; only flat tables are supported")
            }
            guard let raw = e.type, let type = PhysicalType(rawValue: raw) else {
                throw EngramError(file, "column '\(e.name)' has unknown physical type \(e.type.map(String.init) ?? "(none)")")
            }
            let repetition = e.repetitionType ?? Repetition.required.rawValue
            guard repetition != Repetition.repeated.rawValue else {
                throw EngramError(file, "column '\(e.name)' is REPEATED; only flat tables are supported")
            }
            guard repetition == Repetition.required.rawValue || repetition == Repetition.optional.rawValue else {
                throw EngramError(file, "column '\(e.name)' has unknown repetition type \(repetition)")
            }
            let kind = try valueKind(type, e, file: file)
            return ParquetLeaf(name: e.name, physicalType: type, kind: kind, isOptional: repetition == Repetition.optional.rawValue)
        }
    }

    /// Maps a physical type plus annotations to the kind we read it as. Integer annotations that
    /// fit the physical type exactly are accepted; others (dates, timestamps, decimals, unsigned
    /// 32/64-bit, binary without a string annotation) are rejected rather than misread.
    static func valueKind(_ type: PhysicalType, _ e: SchemaElement, file: String) throws -> ParquetValueKind {
        func unsupported(_ what: String) -> EngramError {
            EngramError(file, "column '\(e.name)': unsupported \(what) on \(PhysicalType.name(type.rawValue))")
        }
        let logical = e.logicalType
        let converted = e.convertedType
        switch type {
        case .boolean, .float, .double:
            if let logical { throw unsupported("logical type \(logical.name)") }
            if let converted { throw unsupported("converted type \(converted)") }
            return type == .boolean ? .bool : type == .float ? .float : .double
        case .int32:
            switch logical {
            case nil: break
            case let .integer(width, signed)? where width <= 32 && (signed || width <= 16): break
            case let l?: throw unsupported("logical type \(l.name)")
            }
            if let c = converted, ![ConvertedType.int8, ConvertedType.int16, ConvertedType.int32, ConvertedType.uint8, ConvertedType.uint16].contains(c) {
                throw unsupported("converted type \(c)")
            }
            return .int32
        case .int64:
            switch logical {
            case nil, .integer(64, true)?: break
            case let l?: throw unsupported("logical type \(l.name)")
            }
            if let c = converted, c != ConvertedType.int64 { throw unsupported("converted type \(c)") }
            return .int64
        case .byteArray:
            let isString = logical == .string || logical == .enumType || logical == .json
                || converted == ConvertedType.utf8 || converted == ConvertedType.enumType
            guard isString else {
                throw EngramError(file, "column '\(e.name)': BYTE_ARRAY without a STRING/UTF8 annotation (binary) is unsupported")
            }
            return .string
        case .int96, .fixedLenByteArray:
            throw EngramError(file, "column '\(e.name)': unsupported physical type \(PhysicalType.name(type.rawValue))")
        }
    }
}
