@testable import DagKernels
import Foundation
import Testing

@Suite("NPY.write is atomic")
struct AtomicWriteTests {
    @Test("a write into a missing directory throws and creates nothing")
    func missingDirectory() throws {
        try withTemporaryDirectory { (directory: String) throws in
            let path = "\(directory)/missing/a.npy"
            let error = #expect(throws: NPYError.self) { try NPY.write(Kernels.eye(2), path: path) }
            #expect(error?.kind == .io)
            #expect(error?.errno == ENOENT)
            #expect(error?.description.hasPrefix("\(path): cannot create a temporary file in '\(directory)/missing'") == true)
            #expect(try listing(directory) == [])
        }
    }

    @Test("when the target is a directory, the rename fails and the temporary file is removed")
    func targetIsDirectory() throws {
        try withTemporaryDirectory { (directory: String) throws in
            let path = "\(directory)/out.npy"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            try writeFile([1, 2, 3], "\(path)/keep")
            let error = #expect(throws: NPYError.self) { try NPY.write(Kernels.eye(2), path: path) }
            #expect(error?.kind == .io)
            #expect(error?.description.contains("cannot replace it with the new file") == true)
            #expect(try listing(directory) == ["out.npy"], "no temporary file may remain")
            #expect(try listing(path) == ["keep"])
        }
    }

    @Test("an existing file is untouched when the write fails", arguments: [
        FileIO.WriteStep.createdTemporary, .wroteData, .syncedData,
    ])
    func existingFileSurvives(failingAfter step: FileIO.WriteStep) throws {
        try withTemporaryDirectory { (directory: String) throws in
            let path = "\(directory)/result.npy"
            try NPY.write(Kernels.ones(rows: 2, cols: 2), path: path)
            let before = try fileBytes(path)
            let error = #expect(throws: NPYError.self) {
                try FileIO.writeAtomically(NPY.encode(Kernels.eye(50)), to: path, failingAfter: step)
            }
            #expect(error?.errno == EIO)
            #expect(try fileBytes(path) == before)
            #expect(try listing(directory) == ["result.npy"], "no temporary file may remain")
            #expect(try NPY.read(path: path).toArray() == [1, 1, 1, 1])
        }
    }

    @Test("a successful write replaces the file and leaves nothing else")
    func replaces() throws {
        try withTemporaryDirectory { (directory: String) throws in
            let path = "\(directory)/result.npy"
            try NPY.write(Kernels.ones(rows: 2, cols: 2), path: path)
            try NPY.write(Kernels.eye(3), path: path)
            #expect(try NPY.read(path: path).toArray() == Kernels.eye(3).toArray())
            #expect(try listing(directory) == ["result.npy"])
        }
    }

    @Test("relative and root-level paths split into directory and name")
    func split() {
        #expect(FileIO.split("a.npy") == (".", "a.npy"))
        #expect(FileIO.split("/a.npy") == ("/", "a.npy"))
        #expect(FileIO.split("x/y/a.npy") == ("x/y", "a.npy"))
        #expect(FileIO.split("x/") == ("x", ""))
    }
}
