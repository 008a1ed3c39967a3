// The umbrella library for embedding dagrun: `import DagrunKit` brings the graph model
// and builder, the file format, the topology, the kernels, the scheduler and the renderers.
@_exported import DagCore
@_exported import DagFormat
@_exported import DagGen
@_exported import DagKernels
@_exported import DagRender
@_exported import DagRuntime
@_exported import DagTopology
