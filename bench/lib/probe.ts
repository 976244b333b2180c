// What only a server process can see of itself: event-loop delay and memory
// sampled every second. Shared by the real server (server-child.ts) and P3's
// bare Socket.IO reference, so both report the same figures the same way.
import { monitorEventLoopDelay } from "node:perf_hooks";

export interface ServerStats {
  lagP50: number;
  lagP99: number;
  lagMax: number;
  rssMb: number;
  heapUsedMb: number;
  /** CPU time (user + system) the process used since the last reset, ms. */
  cpuMs: number;
  /** RSS sampled every second since the last reset, MB. */
  rssSeries: number[];
  heapSeries: number[];
}

const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
const ms = (ns: number) => Math.round(ns / 1e4) / 100;

export function startProbe() {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  let rssSeries: number[] = [];
  let heapSeries: number[] = [];
  let cpuFrom = process.cpuUsage();
  // BENCH_RETAINED=1 (with --expose-gc): collect before each sample, so the series
  // shows what is retained rather than garbage not yet collected.
  const gc = process.env.BENCH_RETAINED === "1" ? (globalThis as { gc?: () => void }).gc : undefined;
  const sampler = setInterval(() => {
    gc?.();
    const m = process.memoryUsage();
    rssSeries.push(mb(m.rss));
    heapSeries.push(mb(m.heapUsed));
  }, 1000);
  return {
    reset(): void {
      lag.reset();
      cpuFrom = process.cpuUsage();
      rssSeries = [];
      heapSeries = [];
    },
    stats(): ServerStats {
      const m = process.memoryUsage();
      const cpu = process.cpuUsage(cpuFrom);
      return {
        cpuMs: (cpu.user + cpu.system) / 1000,
        lagP50: ms(lag.percentile(50)), lagP99: ms(lag.percentile(99)), lagMax: ms(lag.max),
        rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), rssSeries, heapSeries,
      };
    },
    stop(): void {
      clearInterval(sampler);
      lag.disable();
    },
  };
}
