/// One column of a flat Parquet table: all values of one type, one per row.
public enum ParquetColumn: Equatable, Sendable {
    /// INT32 (pandas `int32`).
    case int32([Int32])
    /// INT64 (pandas `int64`).
    case int64([Int64])
    /// FLOAT, IEEE binary32 (pandas `float32`).
    case float([Float])
    /// DOUBLE, IEEE binary64 (pandas `float64`).
    case double([Double])
    /// BOOLEAN (pandas `bool`).
    case bool([Bool])
    /// BYTE_ARRAY annotated STRING / UTF8 (pandas `object` of `str`, or `str` in pandas 3).
    case string([String])

    /// Number of rows.
    public var count: Int {
        switch self {
        case let .int32(v): return v.count
        case let .int64(v): return v.count
        case let .float(v): return v.count
        case let .double(v): return v.count
        case let .bool(v): return v.count
        case let .string(v): return v.count
        }
    }

    /// Type name as used in messages: int32, int64, float32, float64, bool, string.
    public var typeName: String {
        switch self {
        case .int32: return "int32"
        case .int64: return "int64"
        case .float: return "float32"
        case .double: return "float64"
        case .bool: return "bool"
        case .string: return "string"
        }
    }

    var physicalType: ParquetFormat.PhysicalType {
        switch self {
        case .int32: return .int32
        case .int64: return .int64
        case .float: return .float
        case .double: return .double
        case .bool: return .boolean
        case .string: return .byteArray
        }
    }

    /// The rows in `range`, as a column of the same type.
    public func slice(_ range: Range<Int>) -> ParquetColumn {
        switch self {
        case let .int32(v): return .int32(Array(v[range]))
        case let .int64(v): return .int64(Array(v[range]))
        case let .float(v): return .float(Array(v[range]))
        case let .double(v): return .double(Array(v[range]))
        case let .bool(v): return .bool(Array(v[range]))
        case let .string(v): return .string(Array(v[range]))
        }
    }
}

/// A flat, column-oriented table: named columns of equal length, in file order.
public struct ParquetTable: Equatable, Sendable {
    public var columns: [(name: String, values: ParquetColumn)]

    public init(_ columns: [(name: String, values: ParquetColumn)] = []) {
        self.columns = columns
    }

    /// Number of rows (0 for a table without columns).
    public var rowCount: Int { columns.first?.values.count ?? 0 }

    public var columnNames: [String] { columns.map(\.name) }

    /// The column called `name`, if any.
    public subscript(name: String) -> ParquetColumn? {
        columns.first { $0.name == name }?.values
    }

    public static func == (a: ParquetTable, b: ParquetTable) -> Bool {
        a.columns.count == b.columns.count
            && zip(a.columns, b.columns).allSatisfy { $0.name == $1.name && $0.values == $1.values }
    }
}
