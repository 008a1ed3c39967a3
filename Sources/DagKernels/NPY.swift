/// Reading and writing numpy's `.npy` files.
///
/// A `.npy` file is the magic string `\x93NUMPY`, a format version, a
/// header length, a header dictionary (see ``NPYHeader``) padded so the
/// data starts at a multiple of 64, then the elements.
///
/// Reading accepts format versions 1.0, 2.0 and 3.0; dtypes `<f8`, `<f4`,
/// `<i8` and `<i4`, converted to `Double` (64-bit integers beyond 2^53 are
/// rounded); C or Fortran element order; and 1-D `(n,)` or 2-D `(r, c)`
/// shapes. A 1-D array becomes an `n x 1` matrix with `isVector` set. As
/// numpy does, bytes after the data are ignored.
///
/// Writing produces exactly what `np.save` writes for a C-ordered
/// float64 array of the same shape: version 1.0, `'<f8'`,
/// `fortran_order: False`, 64-byte aligned header.
public enum NPY {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// The matrix stored in the `.npy` file at `path`.
    ///
    /// - Throws: ``NPYError`` naming `path`: `.io` when the file cannot be
    ///   read, otherwise as ``decode(_:name:)``.
    public static func read(path: String) throws(NPYError) -> Matrix {
        try decode(FileIO.readAll(path: path), name: path)
    }

    /// The matrix stored in `bytes`, the content of a `.npy` file.
    ///
    /// - Parameter name: the file name used in error messages.
    /// - Throws: ``NPYError`` naming `name`, for a wrong magic string, an
    ///   unknown version, a malformed header, an unsupported dtype, a shape
    ///   that is not 1-D or 2-D, or too few bytes.
    public static func decode(_ bytes: [UInt8], name: String) throws(NPYError) -> Matrix {
        func fail(_ kind: NPYError.Kind, _ message: String) -> NPYError {
            NPYError(kind, path: name, message: message)
        }
        let magicLength = min(bytes.count, magic.count)
        guard bytes[0..<magicLength].elementsEqual(magic[0..<magicLength]) else {
            throw fail(.badMagic, "not a .npy file: it does not start with \\x93NUMPY (first bytes: \(hex(bytes.prefix(8))))")
        }
        guard bytes.count >= 10 else {
            throw fail(.truncated, "file is truncated: \(bytes.count) bytes, fewer than the 10 of the smallest .npy preamble")
        }
        let (major, minor) = (bytes[6], bytes[7])
        let headerStart: Int
        let headerLength: Int
        switch (major, minor) {
        case (1, 0):
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case (2, 0), (3, 0):
            guard bytes.count >= 12 else {
                throw fail(.truncated, "file is truncated: it ends inside the version \(major).0 preamble")
            }
            headerStart = 12
            headerLength = (8..<12).reduce(0) { $0 | Int(bytes[$1]) << (8 * ($1 - 8)) }
        default:
            throw fail(.unsupportedVersion, "format version \(major).\(minor) is not supported (supported: 1.0, 2.0, 3.0)")
        }
        let dataStart = headerStart + headerLength
        guard bytes.count >= dataStart else {
            throw fail(.truncated, "file is truncated: the header declares \(headerLength) bytes but only \(bytes.count - headerStart) follow the preamble")
        }

        let headerBytes = bytes[headerStart..<dataStart]
        let text: String
        if major == 3 {
            guard let utf8 = String(validating: headerBytes, as: UTF8.self) else {
                throw fail(.malformedHeader, "the version 3.0 header is not valid UTF-8")
            }
            text = utf8
        } else {
            // Versions 1.0 and 2.0 store the header in Latin-1.
            text = String(String.UnicodeScalarView(headerBytes.map { Unicode.Scalar($0) }))
        }
        let header: NPYHeader
        do {
            header = try NPYHeader(parsing: text)
        } catch {
            throw fail(error.kind, error.message)
        }

        guard let type = NPYHeader.ElementType(rawValue: header.descr) else {
            throw fail(.unsupportedDType, "dtype '\(header.descr)' is not supported (supported: \(NPYHeader.ElementType.supportedList)); convert it in numpy with arr.astype('<f8')")
        }
        let (rows, cols, isVector): (Int, Int, Bool)
        switch header.shape.count {
        case 1: (rows, cols, isVector) = (header.shape[0], 1, true)
        case 2: (rows, cols, isVector) = (header.shape[0], header.shape[1], false)
        case 0:
            throw fail(.unsupportedShape, "0-D (scalar) arrays are not supported; save it as a 1-D array with np.atleast_1d")
        default:
            throw fail(.unsupportedShape, "\(header.shape.count)-D shape \(header.shapeText) is not supported; only 1-D (n,) and 2-D (rows, cols) arrays can be loaded (reshape it in numpy first)")
        }
        // Check the size against the file before allocating anything, so a
        // corrupt header cannot request an absurd allocation.
        let (count, countOverflow) = rows.multipliedReportingOverflow(by: cols)
        let (needed, bytesOverflow) = count.multipliedReportingOverflow(by: type.size)
        guard !countOverflow, !bytesOverflow, bytes.count - dataStart >= needed else {
            let neededText = countOverflow || bytesOverflow ? "more than \(Int.max)" : "\(needed)"
            throw fail(.truncated, "data is truncated: shape \(header.shapeText) of \(type.rawValue) needs \(neededText) bytes after the \(dataStart)-byte header but only \(bytes.count - dataStart) are present")
        }
        let matrix = Matrix(rows: rows, cols: cols, isVector: isVector)
        bytes.withUnsafeBytes { raw in
            let data = UnsafeRawBufferPointer(rebasing: raw[dataStart..<(dataStart + needed)])
            let columnMajor = header.fortranOrder && !isVector
            let out = matrix.baseAddress
            for index in 0..<matrix.count {
                let value = element(data, index, type)
                out[columnMajor ? (index % rows) * cols + index / rows : index] = value
            }
        }
        return matrix
    }

    /// The `.npy` file content for `m`: version 1.0, dtype `<f8`, C order;
    /// shape `(n,)` when `m.isVector`, else `(rows, cols)`. Byte-identical
    /// to `np.save` of the same float64 array.
    public static func encode(_ m: Matrix) -> [UInt8] {
        let header = NPYHeader(descr: "<f8", fortranOrder: false, shape: m.isVector ? [m.rows] : [m.rows, m.cols])
        var bytes = header.encoded()
        let start = bytes.count
        bytes += [UInt8](repeating: 0, count: m.byteCount)
        bytes.withUnsafeMutableBytes { raw in
            withExtendedLifetime(m) {
                for index in 0..<m.count {
                    raw.storeBytes(of: m.baseAddress[index].bitPattern.littleEndian,
                                   toByteOffset: start + index * 8, as: UInt64.self)
                }
            }
        }
        return bytes
    }

    /// Writes `m` to `path` as a `.npy` file, atomically.
    ///
    /// The content goes to a temporary file in the same directory, which is
    /// fsynced and then renamed over `path`. On failure the temporary file
    /// is removed and any existing file at `path` is left untouched; other
    /// processes see either the old file or the complete new one.
    ///
    /// - Throws: ``NPYError`` `.io` naming `path`, the failed step and the
    ///   system's reason, e.g. a missing directory.
    public static func write(_ m: Matrix, path: String) throws(NPYError) {
        try FileIO.writeAtomically(encode(m), to: path)
    }

    // MARK: Helpers

    private static func element(_ data: UnsafeRawBufferPointer, _ index: Int, _ type: NPYHeader.ElementType) -> Double {
        switch type {
        case .float64:
            Double(bitPattern: UInt64(littleEndian: data.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)))
        case .float32:
            Double(Float(bitPattern: UInt32(littleEndian: data.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))))
        case .int64:
            Double(Int64(littleEndian: data.loadUnaligned(fromByteOffset: index * 8, as: Int64.self)))
        case .int32:
            Double(Int32(littleEndian: data.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)))
        }
    }

    private static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: " ")
    }
}
