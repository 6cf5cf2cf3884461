/** Options of `runBench`. */
export interface TRunBenchOptions {
  /** Variables set for the bench (its scale). */
  env?: Record<string, string>;
  /** Arguments after the script. */
  args?: readonly string[];
  /** Kill the bench after this long (default 150 s): a hang fails the test instead of stalling the run. */
  timeoutMs?: number;
  /** Which of the caller's variables the bench gets (default: all but `BENCH_*`). */
  inherit?: (name: string) => boolean;
}

/** Runs `bench/<script>` of the package at `root` in a fresh Node (tsx) to its end: its exit status and output. */
export declare function runBench(root: string, script: string, options?: TRunBenchOptions): Promise<{ status: number | null; out: string }>;

/** `text` as a regular expression source matching itself. */
export declare const literal: (text: string) => string;
