/**
 * `BENCH_TRACE=<file.json>` for the viewer bench: records a Chromium trace with V8's sampling CPU profiler
 * (every thread: the page, the engine and verifier Workers) over the bundle's opening, writes it for
 * DevTools' Performance panel (Load profile…), and summarises where each thread spent its time.
 * `BENCH_TRACE_CATEGORIES` replaces the trace categories (e.g. add `disabled-by-default-v8.compile` to see
 * V8's background compilation).
 */
import { writeFile } from 'node:fs/promises';

import type { Page } from 'playwright-core';

interface TTraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  id?: string;
  args?: {
    name?: string;
    data?: {
      cpuProfile?: { nodes?: { id: number; parent?: number; callFrame: { functionName?: string; url?: string; lineNumber?: number } }[]; samples?: number[] };
      timeDeltas?: number[];
    };
  };
}

export interface TThreadProfile {
  thread: string;
  /** Sampled milliseconds that were not idle. */
  busyMs: number;
  /** Self time by function (`name url:line`), most first. */
  top: { frame: string; ms: number }[];
}

/** Starts tracing through the page's CDP session; `stop` ends it, writes the trace and returns the summary. */
export async function startCpuTrace(page: Page, path: string): Promise<{ stop(): Promise<TThreadProfile[]> }> {
  const session = await page.context().newCDPSession(page);
  const events: TTraceEvent[] = [];
  session.on('Tracing.dataCollected', (payload) => {
    for (const event of payload.value) events.push(event as unknown as TTraceEvent);
  });
  await session.send('Tracing.start', {
    categories: process.env.BENCH_TRACE_CATEGORIES ?? 'disabled-by-default-v8.cpu_profiler,v8.execute,devtools.timeline,toplevel',
    transferMode: 'ReportEvents',
  });
  return {
    async stop() {
      const complete = new Promise<void>((resolve) => session.once('Tracing.tracingComplete', () => resolve()));
      await session.send('Tracing.end');
      await complete;
      await session.detach();
      await writeFile(path, JSON.stringify({ traceEvents: events }));
      return summarise(events);
    },
  };
}

export function summarise(events: readonly TTraceEvent[]): TThreadProfile[] {
  const threadNames = new Map<string, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name !== undefined) threadNames.set(`${e.pid}:${e.tid}`, e.args.name);
  // One profile per (pid, id): its nodes arrive in chunks.
  const profiles = new Map<string, { thread: string; frames: Map<number, string>; self: Map<string, number> }>();
  for (const e of events) {
    if (e.name !== 'ProfileChunk' || e.args?.data === undefined) continue;
    const key = `${e.pid}:${e.id ?? ''}`;
    let profile = profiles.get(key);
    if (profile === undefined) {
      profile = { thread: `${threadNames.get(`${e.pid}:${e.tid}`) ?? 'thread'} (${e.pid}:${e.tid})`, frames: new Map(), self: new Map() };
      profiles.set(key, profile);
    }
    for (const node of e.args.data.cpuProfile?.nodes ?? []) {
      const f = node.callFrame;
      const url = f.url ?? '';
      const file = url === '' ? '' : ` ${url.slice(url.lastIndexOf('/') + 1)}:${(f.lineNumber ?? 0) + 1}`;
      profile.frames.set(node.id, `${f.functionName === undefined || f.functionName === '' ? '(anonymous)' : f.functionName}${file}`);
    }
    const samples = e.args.data.cpuProfile?.samples ?? [];
    const deltas = e.args.data.timeDeltas ?? [];
    samples.forEach((node, i) => {
      const frame = profile.frames.get(node) ?? `#${node}`;
      profile.self.set(frame, (profile.self.get(frame) ?? 0) + (deltas[i] ?? 0) / 1000);
    });
  }
  return [...profiles.values()]
    .map((p) => {
      const top = [...p.self].filter(([frame]) => frame !== '(idle)').map(([frame, ms]) => ({ frame, ms })).sort((a, b) => b.ms - a.ms);
      return { thread: p.thread, busyMs: top.reduce((sum, f) => sum + f.ms, 0), top: top.slice(0, 25) };
    })
    .filter((p) => p.busyMs > 50)
    .sort((a, b) => b.busyMs - a.busyMs);
}
