/// Why a `.npy` file could not be read or written.
///
/// `description` starts with the path (or the `name` given to
/// ``NPY/decode(_:name:)``) and says what is wrong, for example:
///
///     data/a.npy: dtype '<c16' is not supported (supported: <f8, <f4, <i8, <i4); convert it in numpy with arr.astype('<f8')
public struct NPYError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The class of problem, for code that wants to branch on it.
    public enum Kind: Sendable, Equatable {
        /// The file does not start with `\x93NUMPY`.
        case badMagic
        /// A format version other than 1.0, 2.0 or 3.0.
        case unsupportedVersion
        /// The header is not the dictionary literal numpy writes.
        case malformedHeader
        /// A dtype other than `<f8`, `<f4`, `<i8`, `<i4`.
        case unsupportedDType
        /// A shape that is not 1-D or 2-D.
        case unsupportedShape
        /// The file ends before the header or the data does.
        case truncated
        /// A system call failed; `errno` holds its code.
        case io
    }

    /// The class of problem.
    public let kind: Kind
    /// The file concerned.
    public let path: String
    /// What is wrong, as a sentence fragment following the path.
    public let message: String
    /// For `.io`, the `errno` of the failed system call.
    public let errno: Int32?

    public init(_ kind: Kind, path: String, message: String, errno: Int32? = nil) {
        self.kind = kind
        self.path = path
        self.message = message
        self.errno = errno
    }

    public var description: String { "\(path): \(message)" }
}
