/// The Parquet file-format structures (names and field ids from `parquet.thrift`), limited to
/// what a flat-table reader and writer need. Enum-valued fields keep their raw Int32 so values
/// from newer writers survive decoding and can be reported by number.
///
/// File layout: `PAR1`, column chunks (pages, each a Thrift `PageHeader` followed by its data),
/// the Thrift compact-encoded `FileMetaData`, its length as 4 little-endian bytes, `PAR1`.
public enum ParquetFormat {
    public static let magic: [UInt8] = Array("PAR1".utf8)

    /// Physical storage type (`Type` in parquet.thrift).
    public enum PhysicalType: Int32, CaseIterable {
        case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7

        public static func name(_ raw: Int32) -> String {
            guard let t = PhysicalType(rawValue: raw) else { return "type \(raw)" }
            return ["BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"][Int(t.rawValue)]
        }
    }

    /// `FieldRepetitionType`.
    public enum Repetition: Int32 { case required = 0, optional = 1, repeated = 2 }

    /// `ConvertedType` values used here (the legacy annotation).
    public enum ConvertedType {
        public static let utf8: Int32 = 0
        public static let enumType: Int32 = 4
        public static let int8: Int32 = 15, int16: Int32 = 16, int32: Int32 = 17, int64: Int32 = 18
        public static let uint8: Int32 = 11, uint16: Int32 = 12
    }

    /// `Encoding`.
    public enum Encoding: Int32 {
        case plain = 0, plainDictionary = 2, rle = 3, bitPacked = 4, deltaBinaryPacked = 5
        case deltaLengthByteArray = 6, deltaByteArray = 7, rleDictionary = 8, byteStreamSplit = 9

        public static func name(_ raw: Int32) -> String {
            switch Encoding(rawValue: raw) {
            case .plain: return "PLAIN"
            case .plainDictionary: return "PLAIN_DICTIONARY"
            case .rle: return "RLE"
            case .bitPacked: return "BIT_PACKED"
            case .deltaBinaryPacked: return "DELTA_BINARY_PACKED"
            case .deltaLengthByteArray: return "DELTA_LENGTH_BYTE_ARRAY"
            case .deltaByteArray: return "DELTA_BYTE_ARRAY"
            case .rleDictionary: return "RLE_DICTIONARY"
            case .byteStreamSplit: return "BYTE_STREAM_SPLIT"
            case nil: return "encoding \(raw)"
            }
        }
    }

    /// `CompressionCodec`.
    public enum Codec: Int32 {
        case uncompressed = 0, snappy = 1, gzip = 2, lzo = 3, brotli = 4, lz4 = 5, zstd = 6, lz4Raw = 7

        public static func name(_ raw: Int32) -> String {
            switch Codec(rawValue: raw) {
            case .uncompressed: return "UNCOMPRESSED"
            case .snappy: return "SNAPPY"
            case .gzip: return "GZIP"
            case .lzo: return "LZO"
            case .brotli: return "BROTLI"
            case .lz4: return "LZ4"
            case .zstd: return "ZSTD"
            case .lz4Raw: return "LZ4_RAW"
            case nil: return "codec \(raw)"
            }
        }
    }

    /// `PageType`.
    public enum PageType: Int32 { case dataPage = 0, indexPage = 1, dictionaryPage = 2, dataPageV2 = 3 }

    /// `LogicalType` (a union); only the member is kept, plus the parameters of `INTEGER`.
    public enum LogicalType: Equatable {
        case string, map, list, enumType, decimal, date, time, timestamp
        case integer(bitWidth: Int8, isSigned: Bool)
        case unknown, json, bson, uuid, float16
        /// A union member this reader does not know (field id).
        case other(Int16)

        public var name: String {
            switch self {
            case .string: return "STRING"
            case .map: return "MAP"
            case .list: return "LIST"
            case .enumType: return "ENUM"
            case .decimal: return "DECIMAL"
            case .date: return "DATE"
            case .time: return "TIME"
            case .timestamp: return "TIMESTAMP"
            case let .integer(w, s): return "INTEGER(\(w), \(s ? "signed" : "unsigned"))"
            case .unknown: return "UNKNOWN"
            case .json: return "JSON"
            case .bson: return "BSON"
            case .uuid: return "UUID"
            case .float16: return "FLOAT16"
            case let .other(id): return "logical type #\(id)"
            }
        }
    }

    public struct SchemaElement: Equatable {
        public var type: Int32?
        public var typeLength: Int32?
        public var repetitionType: Int32?
        public var name: String
        public var numChildren: Int32?
        public var convertedType: Int32?
        public var logicalType: LogicalType?
        public init(name: String) { self.name = name }
    }

    /// Column statistics. `minValue`/`maxValue` are PLAIN-encoded values without length prefix
    /// (booleans as one byte); `min`/`max` are the deprecated signed-order fields.
    public struct Statistics: Equatable {
        public var max: [UInt8]?
        public var min: [UInt8]?
        public var nullCount: Int64?
        public var distinctCount: Int64?
        public var maxValue: [UInt8]?
        public var minValue: [UInt8]?
        public init() {}
    }

    public struct ColumnMetaData: Equatable {
        public var type: Int32 = 0
        public var encodings: [Int32] = []
        public var pathInSchema: [String] = []
        public var codec: Int32 = 0
        public var numValues: Int64 = 0
        public var totalUncompressedSize: Int64 = 0
        public var totalCompressedSize: Int64 = 0
        public var dataPageOffset: Int64 = 0
        public var indexPageOffset: Int64?
        public var dictionaryPageOffset: Int64?
        public var statistics: Statistics?
        public init() {}
    }

    public struct ColumnChunk: Equatable {
        public var filePath: String?
        public var fileOffset: Int64 = 0
        public var metaData: ColumnMetaData?
        public init() {}
    }

    public struct RowGroup: Equatable {
        public var columns: [ColumnChunk] = []
        public var totalByteSize: Int64 = 0
        public var numRows: Int64 = 0
        public var fileOffset: Int64?
        public var totalCompressedSize: Int64?
        public var ordinal: Int16?
        public init() {}
    }

    public struct KeyValue: Equatable {
        public var key: String
        public var value: String?
        public init(key: String, value: String?) { self.key = key; self.value = value }
    }

    public struct FileMetaData: Equatable {
        public var version: Int32 = 1
        public var schema: [SchemaElement] = []
        public var numRows: Int64 = 0
        public var rowGroups: [RowGroup] = []
        public var keyValueMetadata: [KeyValue]?
        public var createdBy: String?
        /// Number of `ColumnOrder` entries, all TYPE_ORDER when written here.
        public var columnOrderCount: Int?
        public init() {}
    }

    public struct DataPageHeader: Equatable {
        public var numValues: Int32 = 0
        public var encoding: Int32 = 0
        public var definitionLevelEncoding: Int32 = 0
        public var repetitionLevelEncoding: Int32 = 0
        public var statistics: Statistics?
        public init() {}
    }

    public struct DictionaryPageHeader: Equatable {
        public var numValues: Int32 = 0
        public var encoding: Int32 = 0
        public var isSorted: Bool?
        public init() {}
    }

    public struct DataPageHeaderV2: Equatable {
        public var numValues: Int32 = 0
        public var numNulls: Int32 = 0
        public var numRows: Int32 = 0
        public var encoding: Int32 = 0
        public var definitionLevelsByteLength: Int32 = 0
        public var repetitionLevelsByteLength: Int32 = 0
        public var isCompressed: Bool = true
        public var statistics: Statistics?
        public init() {}
    }

    public struct PageHeader: Equatable {
        public var type: Int32 = 0
        public var uncompressedPageSize: Int32 = 0
        public var compressedPageSize: Int32 = 0
        public var crc: Int32?
        public var dataPageHeader: DataPageHeader?
        public var dictionaryPageHeader: DictionaryPageHeader?
        public var dataPageHeaderV2: DataPageHeaderV2?
        public init() {}
    }
}
