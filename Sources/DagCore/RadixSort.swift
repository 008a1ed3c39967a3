/// Sorts `values` by `keys`, ascending and stably, with a least-significant-digit radix
/// sort over the lowest `bits` bits of the keys, eight bits a pass; a pass in which every
/// key has the same byte is skipped. Linear time and sequential memory traffic: the
/// scheduler's priority order and the id index of a million-task graph use it where a
/// comparison sort or random inserts cost tenths of a second here.
func radixSort<Value>(keys: inout [UInt64], values: inout [Value], bits: Int = 64) {
    let n = keys.count
    precondition(values.count == n)
    guard n > 1 else { return }
    var keysOut = keys
    var valuesOut = values
    var counts = [Int](repeating: 0, count: 256)
    var shift: UInt64 = 0
    while shift < UInt64(bits) {
        for k in 0..<256 { counts[k] = 0 }
        for key in keys { counts[Int((key >> shift) & 0xff)] += 1 }
        if !counts.contains(n) {
            var sum = 0
            for k in 0..<256 {
                let c = counts[k]
                counts[k] = sum
                sum += c
            }
            for p in 0..<n {
                let b = Int((keys[p] >> shift) & 0xff)
                let dst = counts[b]
                counts[b] = dst + 1
                keysOut[dst] = keys[p]
                valuesOut[dst] = values[p]
            }
            swap(&keys, &keysOut)
            swap(&values, &valuesOut)
        }
        shift += 8
    }
}
