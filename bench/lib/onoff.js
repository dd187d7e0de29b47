// Warm invoke throughput of two (or more) functions compared pass by pass: what bench/logs.js and
// bench/logs-cpu.js use to put a number on what logging costs.
//
// What makes the comparison fair, each measured on this VM (session 3, docs/performance.md):
// - The first function a fresh server runs is not compared: `decoy` is set up and warmed first.
//   Whichever of two identical functions (both logging on) was warmed first ran 17-25 % slower:
//   it ended up with 12 environments where the other, kept on 2 by the scheduler's hand-off, had
//   its 32 invokes in flight served by 2 always-busy runtimes (faster on 2 cores). With a decoy
//   warmed before them (it takes the 30 environments), the two were within 1 %.
// - Every measured pass follows a short warm pass of the same function, and the order flips each
//   round (A B, B A, …): a function's environments that sat idle through the other's pass ran
//   their next pass slower.
import { flood } from './load.js';

/**
 * Run `rounds` rounds; in each, every function gets a warm pass (`warmSeconds`) and then a measured
 * pass (`seconds`), with `inFlight` invokes in flight. `decoy`: a function deployed like the others,
 * warmed before them and never measured. `cpuMs()` reads the server's CPU time (ms); `countEnvs(name)`
 * (optional) how many environments the function has after a measured pass — the scheduler decides
 * that, and it moves throughput more than logging does (docs/performance.md).
 * Returns, per function name, one `{ rate, cpu, envs }` per round (inv/s, server CPU µs per invoke).
 */
export async function alternatingPasses({ lambda, names, decoy, inFlight, seconds, rounds, warmSeconds = 1, cpuMs, countEnvs, onPass }) {
  const pass = async (name, n, secs) => {
    const cpu0 = cpuMs();
    const { done, errors, firstError } = await flood(lambda, name, n, secs);
    if (errors) throw new Error(`${name}: ${errors} of ${done + errors} invokes failed, first: ${firstError}`);
    return { rate: Math.round(done / secs), cpu: (1000 * (cpuMs() - cpu0)) / done };
  };
  // Start every function's environments a few at a time (a burst of cold starts on a busy 2-core
  // machine is slow), then let runtimes, JIT and the client warm up.
  for (const name of decoy ? [decoy, ...names] : names) {
    for (const n of [1, 4, 8, 16, inFlight]) await pass(name, n, 1);
    await pass(name, inFlight, 2);
  }
  const results = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < rounds; i++) {
    for (const name of i % 2 === 0 ? names : [...names].reverse()) {
      await pass(name, inFlight, warmSeconds);
      const r = await pass(name, inFlight, seconds);
      if (countEnvs) r.envs = await countEnvs(name);
      results[name].push(r);
      onPass?.(name, r);
    }
  }
  return results;
}

/** The median (of an even count: the mean of the middle two). */
function sd(xs) {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / Math.max(1, xs.length - 1));
}

function med(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Figures of an on/off comparison. A single pass on this shared 2-core VM varies by ±10 %, so the
 * medians (of each side's passes, and of the rounds' on/off pairs) are the figures to judge by;
 * the best of each is kept for comparison with earlier runs, which reported it.
 */
export function compareOnOff(on, off) {
  return {
    medianOn: med(on.map((r) => r.rate)),
    medianOff: med(off.map((r) => r.rate)),
    bestOn: Math.max(...on.map((r) => r.rate)),
    bestOff: Math.max(...off.map((r) => r.rate)),
    cpuOn: med(on.map((r) => r.cpu)),
    cpuOff: med(off.map((r) => r.cpu)),
    // Each round's on and off passes ran back to back, under about the same outside load.
    cpuExtra: med(on.map((r, i) => r.cpu - off[i].cpu)),
    pairedRatio: med(on.map((r, i) => r.rate / off[i].rate - 1)),
    pairedSd: sd(on.map((r, i) => r.rate / off[i].rate - 1)),
  };
}
