// The process environment as a plain object. Node's process.env asks the C library for each
// variable every time it is enumerated (~25 µs for 35 variables here), and the Inngest SDK
// enumerates it about seven times per request it serves or makes (getProcessEnv filters it
// down to its own variables): with ~60 variables that was ~0.8 ms of CPU per request, a fifth
// of a one-step run (bench/README.md, Executor). JavaScript readers and writers see no
// difference and child processes get it as their environment; only native code calling
// getenv() stops seeing later writes, and Parley makes none that native code needs (it never
// sets TZ after start).
export function snapshotEnvironment(): void {
  process.env = { ...process.env };
}
