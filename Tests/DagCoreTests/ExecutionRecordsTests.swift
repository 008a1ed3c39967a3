@testable import DagCore
import Testing

/// The records a trace reads from a run's columns are those the scheduler used to build one
/// by one: status codes, the worker of a task that never ran, attempts (IO, retried CPU,
/// cancelled), worker processes and messages.
@Suite struct ExecutionRecordsTests {
    @Test func columnsReadAsTheRecordsOfEachTask() {
        let c = ExecutionColumns(count: 5)
        // Fresh columns: nothing ran yet.
        let fresh = ExecutionRecords(columns: c, facts: .init(classes: Array(repeating: .cpu, count: 5)))
        #expect(fresh[0] == ExecutionRecord(task: 0, status: .cancelled, worker: -2, cpu: -1, startNanos: 0, endNanos: 0,
                                            attempt: 0))
        #expect(fresh.count(of: .cancelled) == 5 && fresh.count(of: .done) == 0)
        // 0: done on worker 1; 1: failed on worker 0 after one retry, in a worker process;
        // 2: cancelled before it ran; 3: an IO task done on its third attempt; 4: done.
        for (i, s, w) in [(0, 1, 1), (1, 2, 0), (2, 3, -2), (3, 1, -1), (4, 1, 0)] as [(Int, UInt8, Int32)] {
            c.status[i] = s
            c.worker[i] = w
            c.cpu[i] = w >= 0 ? w + 10 : -1
            c.startNanos[i] = UInt64(100 * i)
            c.endNanos[i] = UInt64(100 * i + 50)
            c.resultBytes[i] = 8 * i
        }
        c.ioAttempts[3] = 3
        let records = ExecutionRecords(columns: c, facts: .init(
            classes: [.cpu, .cpu, .cpu, .io, .cpu], cpuRetries: [0, 1, 0, 0, 0], inProcess: [false, true, true, false, false],
            messages: [1: "boom", 2: "cancelled: 1 failed or was cancelled"]))
        #expect(records.count == 5)
        #expect(records[0] == ExecutionRecord(task: 0, status: .done, worker: 1, cpu: 11, startNanos: 0, endNanos: 50))
        #expect(records[1] == ExecutionRecord(task: 1, status: .failed, worker: 0, cpu: 10, startNanos: 100, endNanos: 150,
                                              message: "boom", attempt: 2, inProcess: true, resultBytes: 8))
        // A cancelled task that never ran: attempt 0, and not "in a process" though flagged so.
        #expect(records[2] == ExecutionRecord(task: 2, status: .cancelled, worker: -2, cpu: -1, startNanos: 200, endNanos: 250,
                                              message: "cancelled: 1 failed or was cancelled", attempt: 0, resultBytes: 16))
        #expect(records[3] == ExecutionRecord(task: 3, status: .done, worker: -1, cpu: -1, startNanos: 300, endNanos: 350,
                                              attempt: 3, resultBytes: 24))
        #expect(records[4].attempt == 1 && records[4].message == nil)
        #expect(records.map(\.task) == [0, 1, 2, 3, 4])
        #expect(records.filter { $0.status == .done }.count == 3)
        // The column fast paths agree with the records.
        for status in [ExecutionRecord.Status.done, .failed, .cancelled] {
            #expect(records.count(of: status) == records.filter { $0.status == status }.count)
            #expect(ExecutionRecords(Array(records)).count(of: status) == records.count(of: status))
        }
        // Workers 0 and 1 (task 2 never ran, task 3 ran on the IO executor).
        #expect(records.busyNanos(workers: 2) == [100, 50])
        #expect(ExecutionRecords(Array(records)).busyNanos(workers: 2) == [100, 50])
    }

    @Test func arraysAndLiteralsKeepTheirRecords() {
        let a = ExecutionRecord(task: 0, status: .done, worker: 0, cpu: 0, startNanos: 1, endNanos: 2)
        let b = ExecutionRecord(task: 1, status: .failed, worker: 1, cpu: 1, startNanos: 3, endNanos: 4, message: "x")
        let records = ExecutionRecords([a, b])
        #expect(Array(records) == [a, b])
        #expect(records.last == b && records.indices == 0..<2)
        let literal: ExecutionRecords = [b]
        #expect(literal.count == 1 && literal[0] == b)
        let empty: ExecutionRecords = []
        #expect(empty.isEmpty)
    }
}
