import DagKernels
import Testing

/// A hand-built `.npy` file: the preamble for `version`, `header` padded
/// with spaces and a newline to a multiple of 64 bytes, then `data`.
func npyFile(header: String, version: UInt8 = 1, data: [UInt8]) -> [UInt8] {
    let preamble = version == 1 ? 10 : 12
    var text = Array(header.utf8)
    let padding = 64 - (preamble + text.count + 1) % 64
    text += Array(repeating: UInt8(ascii: " "), count: padding) + [UInt8(ascii: "\n")]
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
    let length = text.count
    bytes += version == 1
        ? [UInt8(length & 0xFF), UInt8(length >> 8)]
        : [UInt8(length & 0xFF), UInt8((length >> 8) & 0xFF), UInt8((length >> 16) & 0xFF), UInt8(length >> 24)]
    return bytes + text + data
}

func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { value in
        (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value.littleEndian >> ($0 * 8)) }
    }
}

func float64Bytes(_ values: [Double]) -> [UInt8] { littleEndianBytes(values.map(\.bitPattern)) }

@Suite("NPY format")
struct NPYFormatTests {
    @Test("encode then decode gives back shape, flag and values", arguments: [
        Kernels.random(rows: 3, cols: 4, seed: 9),
        Matrix(vector: [1.5, -2, .infinity, 0, 1e-300]),
        Matrix(rows: 0, cols: 3),
        Matrix(rows: 1, cols: 1, elements: [.pi]),
    ])
    func roundTrip(_ m: Matrix) throws {
        let back = try NPY.decode(NPY.encode(m), name: "memory")
        #expect((back.rows, back.cols, back.isVector) == (m.rows, m.cols, m.isVector))
        #expect(back.toArray() == m.toArray())
    }

    @Test("the header is byte for byte what np.save writes")
    func headerBytes() {
        // `np.save` of a 3x4 float64 array with numpy 2.4: a 118-byte header
        // (0x76) holding the dictionary, 20 spare spaces for the growth axis,
        // padding, and a newline; the data starts at byte 128.
        let m = Kernels.ones(rows: 3, cols: 4)
        let bytes = NPY.encode(m)
        let dictionary = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }"
        let expected: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, 0x76, 0]
            + Array(dictionary.utf8) + Array(repeating: 0x20, count: 128 - 10 - dictionary.utf8.count - 1) + [0x0A]
        #expect(Array(bytes.prefix(128)) == expected)
        #expect(bytes.count == 128 + 96)
        #expect(Array(bytes[128..<136]) == float64Bytes([1]))
        let vectorHeader = String(decoding: NPY.encode(Matrix(vector: [1, 2])).prefix(128), as: UTF8.self)
        #expect(vectorHeader.contains("'shape': (2,), }"))
    }

    @Test("Fortran order is transposed into row-major")
    func fortranOrder() throws {
        let bytes = npyFile(header: "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
                            data: float64Bytes([1, 4, 2, 5, 3, 6]))
        let m = try NPY.decode(bytes, name: "f.npy")
        #expect((m.rows, m.cols) == (2, 3))
        #expect(m.toArray() == [1, 2, 3, 4, 5, 6])
    }

    @Test("float32 and integer dtypes convert to Double")
    func dtypes() throws {
        let f4 = npyFile(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
                         data: littleEndianBytes([Float(0.1), 2.5, -3].map(\.bitPattern)))
        #expect(try NPY.decode(f4, name: "f4").toArray() == [Double(Float(0.1)), 2.5, -3])
        let i8 = npyFile(header: "{'descr': '<i8', 'fortran_order': False, 'shape': (1, 3), }",
                         data: littleEndianBytes([Int64(-7), 1 << 40, 0]))
        #expect(try NPY.decode(i8, name: "i8").toArray() == [-7, 1_099_511_627_776, 0])
        let i4 = npyFile(header: "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 1), }",
                         data: littleEndianBytes([Int32.min, Int32.max]))
        #expect(try NPY.decode(i4, name: "i4").toArray() == [-2_147_483_648, 2_147_483_647])
    }

    @Test("versions 2.0 and 3.0 have a 4-byte header length", arguments: [UInt8(2), 3])
    func laterVersions(version: UInt8) throws {
        let bytes = npyFile(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                            version: version, data: float64Bytes([8, 9]))
        let m = try NPY.decode(bytes, name: "v\(version)")
        #expect(m.toArray() == [8, 9])
        #expect(m.isVector)
    }

    @Test("headers written by other tools: double quotes, no trailing comma, Python 2 longs, extra bytes")
    func tolerantHeader() throws {
        let bytes = npyFile(header: "{\"shape\": (2L, 1L), \"fortran_order\": False, \"descr\": \"<f8\"}",
                            data: float64Bytes([3, 4]) + [0xFF, 0xFF])
        #expect(try NPY.decode(bytes, name: "other").toArray() == [3, 4])
    }
}

@Suite("NPY rejects bad files")
struct NPYBadFileTests {
    /// Writes `bytes` to a file and returns the error `NPY.read` throws for it.
    private func readError(_ bytes: [UInt8], file: String = "bad.npy") throws -> NPYError? {
        try withTemporaryDirectory { (directory: String) throws -> NPYError? in
            let path = "\(directory)/\(file)"
            try writeFile(bytes, path)
            let error = #expect(throws: NPYError.self) { try NPY.read(path: path) }
            #expect(error?.path == path)
            #expect(error?.description.hasPrefix("\(path): ") == true, "the message must start with the path")
            return error
        }
    }

    @Test("wrong magic")
    func wrongMagic() throws {
        let error = try readError([0x89] + Array("PNG\r\n\u{1A}\n and more bytes".utf8))
        #expect(error?.kind == .badMagic)
        #expect(error?.message == "not a .npy file: it does not start with \\x93NUMPY (first bytes: 89 50 4e 47 0d 0a 1a 0a)")
    }

    @Test("truncated data")
    func truncatedData() throws {
        let bytes = NPY.encode(Kernels.ones(rows: 3, cols: 4))
        let error = try readError(Array(bytes.dropLast(5)))
        #expect(error?.kind == .truncated)
        #expect(error?.message
            == "data is truncated: shape (3, 4) of <f8 needs 96 bytes after the 128-byte header but only 91 are present")
    }

    @Test("truncated header or preamble", arguments: [0, 4, 9, 40])
    func truncatedHeader(length: Int) throws {
        let bytes = NPY.encode(Kernels.ones(rows: 3, cols: 4))
        let error = try readError(Array(bytes.prefix(length)))
        #expect(error?.kind == .truncated)
    }

    @Test("unsupported dtype")
    func unsupportedDType() throws {
        let error = try readError(npyFile(header: "{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }",
                                          data: Array(repeating: 0, count: 32)), file: "a.npy")
        #expect(error?.kind == .unsupportedDType)
        #expect(error?.message.hasPrefix("dtype '<c16' is not supported (supported: <f8, <f4, <i8, <i4)") == true)
        let bigEndian = try readError(npyFile(header: "{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }",
                                              data: Array(repeating: 0, count: 8)))
        #expect(bigEndian?.kind == .unsupportedDType)
        let structured = try readError(npyFile(header: "{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (1,), }",
                                               data: Array(repeating: 0, count: 8)))
        #expect(structured?.kind == .unsupportedDType)
    }

    @Test("3-D and 0-D shapes")
    func unsupportedShapes() throws {
        let cube = try readError(npyFile(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3, 4), }",
                                         data: Array(repeating: 0, count: 192)))
        #expect(cube?.kind == .unsupportedShape)
        #expect(cube?.message.hasPrefix("3-D shape (2, 3, 4) is not supported") == true)
        let scalar = try readError(npyFile(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
                                           data: Array(repeating: 0, count: 8)))
        #expect(scalar?.kind == .unsupportedShape)
        #expect(scalar?.message.hasPrefix("0-D (scalar) arrays are not supported") == true)
    }

    @Test("unknown version, malformed and incomplete headers")
    func malformedHeaders() throws {
        var future = npyFile(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", data: float64Bytes([1]))
        future[6] = 4
        let version = try readError(future)
        #expect(version?.kind == .unsupportedVersion)
        #expect(version?.message == "format version 4.0 is not supported (supported: 1.0, 2.0, 3.0)")

        let missing = try readError(npyFile(header: "{'descr': '<f8', 'fortran_order': False}", data: []))
        #expect(missing?.kind == .malformedHeader)
        #expect(missing?.message.contains("'shape'") == true)

        for header in ["{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4)",
                       "not a dictionary",
                       "{'descr': '<f8', 'fortran_order': 'no', 'shape': (1,), }",
                       "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }",
                       "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}"] {
            let error = try readError(npyFile(header: header, data: float64Bytes([1])))
            #expect(error?.kind == .malformedHeader, "header \(header)")
        }
    }

    @Test("a missing file is an I/O error naming the path")
    func missingFile() throws {
        try withTemporaryDirectory { (directory: String) throws in
            let path = "\(directory)/absent.npy"
            let error = #expect(throws: NPYError.self) { try NPY.read(path: path) }
            #expect(error?.kind == .io)
            #expect(error?.description.hasPrefix(path) == true)
            #expect(error?.description.contains("No such file or directory") == true)
        }
    }
}
