// Node 20's V8 (11.3) can crash the process ("Fatal error ... unreachable code" in
// Deoptimizer::DoComputeBuiltinContinuation) when TurboFan inlines a JS-to-Wasm call that it later
// deoptimizes. Measured here: 6,000 GET /organizations/{id} in one process crashed it in 2 of 2 runs,
// 8,000 decisions with entities read from PostgreSQL in 1 of 2; with inlining off, 0 of 3 and 0 of 6
// (and 0 of 5 with the flag on the command line). Cedar is Wasm, so its calls are kept out of line. The flag
// only affects code optimized after it is set: this module is imported before Cedar's. Not allowed in
// NODE_OPTIONS, hence set here.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--no-turbo-inline-js-wasm-calls');
