import Foundation

/// The repository root (this file is Tests/DagrunEndToEndTests/Support.swift).
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The directory holding the built products (next to the test bundle).
let productsDirectory: String = {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("dagrun").path) && dir.path != "/" {
        dir = dir.deletingLastPathComponent()
    }
    return dir.path
}()

struct Output {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a built product with `arguments` in `directory`; captures both streams through files.
func runProduct(_ name: String, _ arguments: [String], in directory: String = repoRoot) throws -> Output {
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("dagrun-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: tmp) }
    let out = tmp.appendingPathComponent("out"), err = tmp.appendingPathComponent("err")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: err.path, contents: nil)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: productsDirectory + "/" + name)
    p.arguments = arguments
    p.currentDirectoryURL = URL(fileURLWithPath: directory)
    p.standardOutput = try FileHandle(forWritingTo: out)
    p.standardError = try FileHandle(forWritingTo: err)
    p.standardInput = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    return Output(status: p.terminationStatus,
                  stdout: try String(contentsOf: out, encoding: .utf8),
                  stderr: try String(contentsOf: err, encoding: .utf8))
}

func dagrun(_ arguments: String..., in directory: String = repoRoot) throws -> Output {
    try runProduct("dagrun", arguments, in: directory)
}

/// A fresh copy of graphs/ in a temporary directory, so runs never write into the repository.
func copyOfGraphs() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dagrun-graphs-\(UUID().uuidString)").path
    try FileManager.default.copyItem(atPath: repoRoot + "/graphs", toPath: dir)
    return dir
}

func jsonObject(_ text: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
}

func files(in dir: String, ext: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: repoRoot + "/" + dir).filter { $0.hasSuffix(ext) }.sorted()
}

let pythonWithNumpy: Bool = {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", "import numpy"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
}()

let graphvizInstalled = FileManager.default.isExecutableFile(atPath: "/usr/bin/dot")
