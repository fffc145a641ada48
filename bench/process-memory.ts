import { readFileSync } from 'node:fs';

/** A process's resident memory now and at its peak so far, in MiB, from Linux's /proc (null elsewhere). */
export interface ProcessMemory {
  rssMiB: number;
  peakMiB: number;
}

export function processMemory(pid: number): ProcessMemory | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  // VmHWM is the kernel's high-water mark of VmRSS: a peak no sampling can miss. A process that is
  // exiting (a zombie) has neither line.
  const kib = (field: string) => new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  const rss = kib('VmRSS');
  const peak = kib('VmHWM');
  return rss === undefined || peak === undefined ? null : { rssMiB: Number(rss) / 1024, peakMiB: Number(peak) / 1024 };
}
