import Foundation
import Glibc
import Testing
@testable import DagRuntime

/// The framing between dagrun and its worker processes, over a socketpair in this process.
@Suite struct WorkerProtocolTests {
    /// Two connected channels; closed when the pair is dropped.
    final class Pair: @unchecked Sendable {
        let a: FrameChannel, b: FrameChannel
        init() throws {
            var fds: [Int32] = [0, 0]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { throw POSIXError(.EIO) }
            a = FrameChannel(fd: fds[0])
            b = FrameChannel(fd: fds[1])
        }
        func closeA() { close(a.fd) }
        deinit { close(a.fd); close(b.fd) }
    }

    @Test func headerBytesAreTheDocumentedLayout() {
        var w = FrameWriter()
        w.u32(7)
        let h = w.header(.result)
        let length: UInt32 = 4, check = length ^ 0x4447_5257
        #expect(h == [4, 0, 0, 0, 3, 0, 0, 0] + withUnsafeBytes(of: check.littleEndian) { Array($0) })
        #expect(MemoryLayout<FrameHeader>.size == WorkerProtocol.headerSize)
    }

    @Test(arguments: [0, 1, 100, 4084, 4085, 5000, 3 << 20])
    func framesOfAnySizeArriveWhole(payloadSize: Int) throws {
        let pair = try Pair()
        var w = FrameWriter()
        let text = String(repeating: "x", count: payloadSize)
        w.str(text)
        w.u64(0x0102_0304_0506_0708)
        w.i32(-5)
        // A large frame fills the socket buffer: send from another thread.
        let frame = w
        let sender = Thread { try? pair.a.send(.task, frame) }
        sender.start()
        let f = try pair.b.receive()
        #expect(f.kind == .task)
        var r = FrameReader(f.payload)
        #expect(try r.str() == text)
        #expect(try r.u64() == 0x0102_0304_0506_0708)
        #expect(try r.i32() == -5)
        #expect(throws: WorkerError.self) { try r.u8() }   // nothing after the last field
        // The channel's buffer is reused: a small frame after a large one still arrives right.
        var small = FrameWriter()
        small.u32(42)
        try pair.a.send(.result, small)
        let g = try pair.b.receive()
        var s = FrameReader(g.payload)
        #expect(g.kind == .result)
        #expect(try s.u32() == 42)
    }

    @Test func descriptorsTravelWithTheirFrame() throws {
        let pair = try Pair()
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var w = FrameWriter()
        let index = w.attach(fds[1])
        w.u32(index)
        try pair.a.send(.result, w)
        let f = try pair.b.receive()
        defer { f.closeDescriptors() }
        #expect(f.fds.count == 1)
        // The received descriptor is the pipe's write end: what it writes comes out of fds[0].
        #expect(write(f.fds[0], "ok", 2) == 2)
        var got = [UInt8](repeating: 0, count: 2)
        #expect(read(fds[0], &got, 2) == 2 && got == Array("ok".utf8))
    }

    @Test func aBadHeaderIsAProtocolViolation() throws {
        let pair = try Pair()
        let garbage = [UInt8](repeating: 0xAB, count: 16)
        #expect(write(pair.a.fd, garbage, garbage.count) == 16)
        #expect {
            try pair.b.receive()
        } throws: { error in
            guard case WorkerError.protocolViolation(let what) = error else { return false }
            return what.contains("bad frame header")
        }
    }

    @Test func endOfStreamIsClosedAndShortPayloadsThrow() throws {
        let pair = try Pair()
        pair.closeA()
        #expect(throws: WorkerError.closed) { try pair.b.receive() }
        var r = FrameReader([1, 2, 3])
        #expect {
            try r.u32()
        } throws: { error in
            guard case WorkerError.protocolViolation(let what) = error else { return false }
            return what.contains("payload ends early")
        }
    }
}
